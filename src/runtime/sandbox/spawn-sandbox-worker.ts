import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { Worker, type ResourceLimits } from "node:worker_threads";
import type { WorkerInit } from "./protocol.js";
import { wasmApi, type WasmModule } from "./wasm-api.js";

/**
 * Starts the worker thread of one sandbox. From compiled code it runs
 * `sandbox-worker.js`; from TypeScript sources (development, tests) it runs
 * `sandbox-worker.ts` through tsx. Node 20 does not apply `--import tsx` in a
 * worker's `execArgv` to the worker's entry module, so the worker registers
 * tsx itself before importing its entry.
 */
export function spawnSandboxWorker(init: WorkerInit, resourceLimits: ResourceLimits): Worker {
  const self = import.meta.url;
  if (self.endsWith(".ts")) {
    const entry = new URL("./sandbox-worker.ts", self).href;
    const tsx = import.meta.resolve("tsx/esm/api");
    const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(bootstrap, { eval: true, workerData: init, resourceLimits });
  }
  return new Worker(new URL("./sandbox-worker.js", self), { workerData: init, resourceLimits });
}

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
