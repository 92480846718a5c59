import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { Worker, type ResourceLimits } from "node:worker_threads";
import type { WorkerInit } from "./protocol.js";
import { execArgvWithoutTsx, type SandboxWorkerEntry } from "./sandbox-worker-entry.js";
import { wasmApi, type WasmModule } from "./wasm-api.js";

/**
 * Starts the worker thread of one sandbox from `entry` (see
 * `sandbox-worker-entry.ts`). A bundled entry needs no tsx, so the worker
 * does not load it even when this process runs with `--import tsx`.
 */
export function spawnSandboxWorker(entry: SandboxWorkerEntry, init: WorkerInit, resourceLimits: ResourceLimits): Worker {
  if (entry.kind === "eval") return new Worker(entry.source, { eval: true, workerData: init, resourceLimits });
  const execArgv = entry.withoutTsx ? (workerExecArgv ?? execArgvWithoutTsx(process.execArgv)) : undefined;
  if (execArgv === undefined) return new Worker(entry.url, { workerData: init, resourceLimits });
  try {
    return new Worker(entry.url, { workerData: init, resourceLimits, execArgv });
  } catch (error) {
    // A flag a worker may not be given explicitly (a V8 option, which applies
    // to every thread anyway): the bundled worker needs none of the flags.
    if ((error as { code?: unknown }).code !== "ERR_WORKER_INVALID_EXEC_ARGV" || execArgv.length === 0) throw error;
    workerExecArgv = [];
    return new Worker(entry.url, { workerData: init, resourceLimits, execArgv: workerExecArgv });
  }
}

/** The flags bundled workers start with once the parent's were refused. */
let workerExecArgv: string[] | undefined;

let wasmModule: Promise<WasmModule | undefined> | undefined;

/**
 * The QuickJS WebAssembly module, compiled once per process and shared with
 * every sandbox worker (each still gets its own instance and memory). If it
 * cannot be loaded here, workers compile their own.
 */
export function loadQuickJSWasm(): Promise<WasmModule | undefined> {
  wasmModule ??= (async () => {
    try {
      const require = createRequire(import.meta.url);
      // Resolved from quickjs-emscripten itself, whose dependency the wasm package is.
      const fromQuickJS = createRequire(require.resolve("quickjs-emscripten"));
      const bytes = await readFile(fromQuickJS.resolve("@jitl/quickjs-wasmfile-release-sync/wasm"));
      return await wasmApi.compile(bytes);
    } catch {
      return undefined;
    }
  })();
  return wasmModule;
}

/** Thread limits for a worker whose guest may use `stackKb` of engine stack. */
export function workerResourceLimits(stackKb: number): ResourceLimits {
  // Engine recursion also runs on this thread's native stack, several times
  // deeper than the engine's own stack; measured: 4 MB suffices for 512 KB.
  return { stackSizeMb: 8 + Math.ceil(stackKb / 1024) * 8 };
}
