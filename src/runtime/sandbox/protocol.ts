/**
 * Messages between the host thread and a sandbox worker. Each side posts
 * arrays of messages (what one burst of work produced), since waking the other
 * thread costs far more than the messages. Values travel as JSON strings: the
 * side that receives a value parses it exactly once, and the guest never sees
 * a host object.
 *
 * The worker's side is flow-controlled: it sends what a burst produced in
 * chunks of bounded size, one at a time, and the host acknowledges each
 * (`ack`) on a later turn of its event loop. A script that makes thousands of
 * large host calls at once therefore never makes the host thread take them
 * all in one go: the host, which serves every other run, stays responsive.
 */
import type { RunErrorInfo, SandboxLimits } from "../types.js";
import type { WasmModule } from "./wasm-api.js";

/** What one engine of a sandbox worker is built with. */
export interface GuestInit {
  limits: SandboxLimits;
  /** Shared with the host's watchdog; see the `CONTROL_*` slots. */
  control: SharedArrayBuffer;
}

/** What a sandbox worker starts with (its `workerData`): its first engine's settings and the module. */
export interface WorkerInit extends GuestInit {
  /** The QuickJS WebAssembly module, compiled once per process; absent: the worker compiles its own. */
  wasmModule?: WasmModule;
}

/**
 * Drops the worker's engine (its program has ended) and builds a new one from
 * nothing for the next program; the worker answers `ready` again.
 */
export interface GuestMessage extends GuestInit {
  t: "guest";
}

/** Int32 slot: number of guest bursts started so far. */
export const CONTROL_BURST = 0;
/** Int32 slot: 1 while the guest is executing, 0 while it waits for the host. */
export const CONTROL_RUNNING = 1;
/** Int32 slot: CPU milliseconds the current burst may still use. */
export const CONTROL_BUDGET_MS = 2;
export const CONTROL_BYTES = 3 * Int32Array.BYTES_PER_ELEMENT;

/** A host failure as the guest sees it: an `Error` with this name, code and message. */
export interface WireError {
  name: string;
  code: string;
  message: string;
}

export interface RunMessage {
  t: "run";
  prelude: string;
  main: string;
  filename: string;
}

/** Settles the guest promise of host call `id`; `json` undefined means `undefined`. */
export type SettleMessage =
  | { t: "settle"; id: number; ok: true; json: string | undefined }
  | { t: "settle"; id: number; ok: false; error: WireError };

export interface StateMessage {
  t: "state";
  json: string;
}

/** The host has taken the worker's last chunk; the next may come. */
export interface AckMessage {
  t: "ack";
}

export type ToWorkerMessage = RunMessage | SettleMessage | StateMessage | AckMessage | GuestMessage;

/** Most messages, and most bytes of JSON, in one chunk the worker sends. */
export const CHUNK_MESSAGES = 512;
export const CHUNK_BYTES = 1024 * 1024;

/** An engine's WebAssembly memory when it starts (the module asks for 16 MB). */
export const ENGINE_START_BYTES = 16 * 1024 * 1024;

/** The program has ended; `engineBytes` is the size its engine's memory reached. */
export type DoneMessage = (
  | { t: "done"; ok: true; json: string | undefined }
  | { t: "done"; ok: false; error: RunErrorInfo }
) & { engineBytes?: number };

export type FromWorkerMessage =
  | { t: "ready" }
  | { t: "call"; id: number; name: string; json: string }
  | { t: "notify"; name: string; json: string }
  | DoneMessage;
