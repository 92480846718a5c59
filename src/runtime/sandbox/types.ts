/**
 * Contract of the script sandbox: a separate JavaScript engine (QuickJS
 * compiled to WebAssembly) in a worker thread. The host never evaluates script
 * code itself; everything the guest can do goes through `SandboxHost`.
 *
 * Inside the guest, the prelude finds a bridge object on `globalThis.__dynflow`:
 *
 *   __dynflow.call(name, ...args)      -> Promise  async host call (args and result JSON-copied;
 *                                                  a host failure rejects with an Error whose
 *                                                  `name` and `code` come from the host error)
 *   __dynflow.notify(name, ...args)    -> void     fire-and-forget (phase, log, warnings)
 *   __dynflow.state()                  -> value    latest value passed to `Sandbox.pushState`
 *   __dynflow.compile(code, filename)  -> value    evaluates `code` (a script) in the same context
 *                                                  under `filename`, returns its completion value;
 *                                                  used for nested workflows
 *
 * The prelude runs first, keeps what it needs in closures, and deletes
 * `__dynflow` from `globalThis`, so the script only reaches the host through the
 * globals the prelude defines.
 */
import type { JsonValue, RunErrorInfo, SandboxLimits } from "../types.js";
import type { SettleMessage } from "./protocol.js";

/** The host functions a script can reach, by name. */
export interface SandboxHost {
  call(name: string, args: JsonValue[]): Promise<JsonValue | undefined>;
  notify(name: string, args: JsonValue[]): void;
}

/** What to evaluate in a fresh sandbox. */
export interface SandboxProgram {
  /** Guest JavaScript (script, not module) run first, as file `dynflow:prelude`. */
  prelude: string;
  /** Guest JavaScript whose completion value is a promise; its resolution is the result. */
  main: string;
  /** File name for `main`, used in error locations (e.g. `script.js`). */
  filename: string;
}

export type SandboxResult = { ok: true; value: JsonValue | undefined } | { ok: false; error: RunErrorInfo };

export interface Sandbox {
  /** Evaluates the program; settles when its promise settles or a limit stops it. Call once. */
  run(program: SandboxProgram): Promise<SandboxResult>;
  /** Replaces the value `__dynflow.state()` returns (e.g. budget figures). */
  pushState(state: JsonValue): void;
  /** Stops the guest at once; a pending `run` resolves with code `sandbox_terminated`. */
  terminate(): Promise<void>;
}

export interface SandboxOptions {
  limits: SandboxLimits;
  host: SandboxHost;
}

/** The guest side of one sandbox: a QuickJS runtime in its worker (`createGuest`). */
export interface Guest {
  run(program: SandboxProgram): void;
  settle(message: SettleMessage): void;
  setState(json: string): void;
}
