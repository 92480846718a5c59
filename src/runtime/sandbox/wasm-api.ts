/**
 * The few WebAssembly APIs the sandbox uses, typed here because the project's
 * Node typings (no DOM lib) do not declare the `WebAssembly` namespace.
 */

/** A compiled WebAssembly module (opaque here; it is only passed along). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

export const wasmApi: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
