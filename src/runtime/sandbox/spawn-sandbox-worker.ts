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
  const execArgv = entry.withoutTsx && !execArgvRefused ? execArgvWithoutTsx(process.execArgv) : undefined;
  if (execArgv === undefined) return new Worker(entry.url, { workerData: init, resourceLimits });
  try {
    return new Worker(entry.url, { workerData: init, resourceLimits, execArgv });
  } catch (error) {
    // Flags a worker may not be given explicitly (V8 options): inherit them, tsx included.
    if ((error as { code?: unknown }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw error;
    execArgvRefused = true;
    return new Worker(entry.url, { workerData: init, resourceLimits });
  }
}

let execArgvRefused = false;

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
