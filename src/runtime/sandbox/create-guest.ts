import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } from "quickjs-emscripten";
import type { SandboxLimits } from "../types.js";
import type { Guest } from "./types.js";
import { CpuMeter } from "./cpu-meter.js";
import { forbiddenModuleSource } from "./guest-sources.js";
import { GuestSession } from "./guest-session.js";
import { ENGINE_START_BYTES, type FromWorkerMessage } from "./protocol.js";
import { wasmApi, type WasmModule } from "./wasm-api.js";

const MB = 1024 * 1024;
const WASM_PAGE = 64 * 1024;
/** The engine's module asks for at least 16 MB; 5 MB of it is its own stack. */
const WASM_MIN_PAGES = ENGINE_START_BYTES / WASM_PAGE;
/** Room for the engine's stack and static data on top of the script's heap. */
const ENGINE_OVERHEAD_MB = 8;

/** What a sandbox worker builds its engine from. */
export interface GuestOptions {
  limits: SandboxLimits;
  control: Int32Array;
  wasmModule?: WasmModule;
  /** Posts what one burst of work produced, in order. */
  post(messages: FromWorkerMessage[]): void;
}

/**
 * Creates the engine for one sandbox: its own WebAssembly memory with a hard
 * maximum (the engine's own memory limit does not cover every allocation),
 * CPU metering, a stack limit, a module loader that refuses, and the bridge.
 */
export async function createGuest(options: GuestOptions): Promise<Guest> {
  const { limits } = options;
  const maximum = Math.max(WASM_MIN_PAGES, Math.ceil(((limits.memoryMb + ENGINE_OVERHEAD_MB) * MB) / WASM_PAGE));
  const wasmMemory = new wasmApi.Memory({ initial: WASM_MIN_PAGES, maximum });
  const variant = newVariant(RELEASE_SYNC, options.wasmModule ? { wasmMemory, wasmModule: options.wasmModule } : { wasmMemory });
  const quickjs = await newQuickJSWASMModuleFromVariant(variant);
  const runtime = quickjs.newRuntime();
  runtime.setMemoryLimit(limits.memoryMb * MB);
  runtime.setMaxStackSize(limits.stackKb * 1024);
  const meter = new CpuMeter(limits.cpuMs, options.control);
  runtime.setInterruptHandler(meter.shouldInterrupt);
  runtime.setModuleLoader((specifier) => forbiddenModuleSource(specifier));
  // Within a megabyte of its maximum (after an allocation of `bytes` being made), an engine failure is taken for running out of memory.
  const memoryFull = (bytes = 0) => wasmMemory.buffer.byteLength + MB + bytes >= maximum * WASM_PAGE;
  const memoryBytes = () => wasmMemory.buffer.byteLength;
  return new GuestSession({ runtime, context: runtime.newContext(), meter, limits, post: options.post, memoryFull, memoryBytes });
}
