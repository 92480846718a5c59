import type { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { DynflowError, messageOf } from "../../errors.js";
import type { JsonValue, RunErrorInfo, SandboxLimits } from "../types.js";
import type { Sandbox, SandboxHost, SandboxOptions, SandboxProgram, SandboxResult } from "./types.js";
import {
  SandboxErrorCode,
  SandboxLimitError,
  SandboxReusedError,
  SandboxStartError,
  ValueTooLargeError,
  toRunErrorInfo,
} from "./errors.js";
import { jsonBytesOver } from "./json-size.js";
import { CONTROL_BYTES, ENGINE_START_BYTES, type FromWorkerMessage, type ToWorkerMessage, type WireError } from "./protocol.js";
import { loadQuickJSWasm, spawnSandboxWorker, workerResourceLimits } from "./spawn-sandbox-worker.js";
import { sandboxWorkerEntry } from "./sandbox-worker-entry.js";
import { releaseSandboxThread, stopIdleSandboxThreads, takeSandboxThread, type SandboxThread } from "./sandbox-threads.js";
import { startWatchdog } from "./start-watchdog.js";
import { validateSandboxLimits } from "./validate-sandbox-limits.js";
import { timeStage } from "../../timing/stage-timer.js";

/** `SandboxOptions` plus tuning that only the host side needs. */
export interface StartSandboxOptions extends SandboxOptions {
  /**
   * Wall-clock time one guest burst may run past its remaining CPU time before
   * the worker is killed (the backstop for long native calls). Default: a
   * quarter of `limits.cpuMs`, at least one second.
   */
  watchdogGraceMs?: number;
  /** Receives warnings (a failing `notify` handler, a killed worker). */
  log?: Pick<Logger, "warn">;
}

/**
 * Starts a sandbox: a worker thread with a fresh QuickJS engine, limits
 * applied and the bridge installed, ready to `run` one program. Resolves once
 * the engine is ready; throws `InvalidSandboxLimitError` or `SandboxStartError`.
 */
export function startSandbox(options: StartSandboxOptions): Promise<Sandbox> {
  return timeStage("sandbox-start", () => startSandboxNow(options));
}

async function startSandboxNow(options: StartSandboxOptions): Promise<Sandbox> {
  const limits = validateSandboxLimits(options.limits);
  const spare = takeSpare(limits);
  if (spare !== undefined) {
    try {
      const sandbox = await spare;
      sandbox.attach(options);
      await sandbox.ready;
      spareStats.taken++;
      return sandbox;
    } catch {
      // A spare that failed to start (or stopped while it waited) is gone; start a fresh one.
    }
  }
  const sandbox = await spawnWorkerSandbox(limits);
  sandbox.attach(options);
  await sandbox.ready;
  return sandbox;
}

async function spawnWorkerSandbox(limits: SandboxLimits): Promise<WorkerSandbox> {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const [wasmModule, entry] = await Promise.all([loadQuickJSWasm(), sandboxWorkerEntry()]);
  const resourceLimits = workerResourceLimits(limits.stackKb);
  const thread = takeSandboxThread(resourceLimits, { limits, control }, () =>
    spawnSandboxWorker(entry, wasmModule ? { limits, control, wasmModule } : { limits, control }, resourceLimits),
  );
  return new WorkerSandbox(thread, limits, new Int32Array(control));
}

/**
 * Compiles now what every sandbox of this process starts from: the QuickJS
 * module and the worker's entry (under tsx, the bundle of the worker's
 * sources). A process that will run scripts calls it at start, so that its
 * first run's sandbox does not wait for them. Never rejects: what fails here
 * is tried again, and reported, when a sandbox starts.
 */
export async function prepareSandboxes(): Promise<void> {
  await Promise.all([loadQuickJSWasm(), sandboxWorkerEntry()]).catch(() => {});
}

/**
 * Spare sandboxes: started ahead of a `startSandbox` that is known to come
 * soon (the execution after a plan, in the same process), so that it finds an
 * engine ready. A spare has never run anything (a sandbox still runs one
 * program only); it waits with its worker unreferenced, so it never keeps a
 * process alive, and stops after `ttlMs` if nothing takes it. At most one per
 * set of limits.
 */
interface Spare {
  key: string;
  sandbox: Promise<WorkerSandbox>;
  expiry: NodeJS.Timeout;
}

const spares = new Map<string, Spare>();

/** How long an unused spare sandbox waits before it stops. */
export const SPARE_SANDBOX_TTL_MS = 60_000;

/**
 * Starts a spare sandbox for `limits` unless one is waiting already; the next
 * `startSandbox` with the same limits takes it. Never throws: a spare that
 * cannot start is dropped, and the sandbox is started when it is needed.
 */
export function prestartSandbox(limits: SandboxLimits, ttlMs: number = SPARE_SANDBOX_TTL_MS): void {
  let valid: SandboxLimits;
  try {
    valid = validateSandboxLimits(limits);
  } catch {
    return;
  }
  const key = limitsKey(valid);
  if (spares.has(key)) return;
  const sandbox = spawnWorkerSandbox(valid).then((spawned) => {
    spawned.idle();
    return spawned;
  });
  const expiry = setTimeout(() => {
    if (spares.get(key)?.sandbox !== sandbox) return;
    spares.delete(key);
    void sandbox.then((spare) => spare.terminate()).catch(() => {});
  }, ttlMs);
  expiry.unref();
  // A spare that fails is noticed by whoever takes it (and then started afresh), or by no one.
  sandbox.then((spare) => spare.ready).catch(() => {});
  spares.set(key, { key, sandbox, expiry });
  spareStats.started++;
}

/** Spare sandboxes started, and taken by a `startSandbox`, in this process so far. */
export function spareSandboxStats(): { started: number; taken: number } {
  return { ...spareStats };
}

const spareStats = { started: 0, taken: 0 };

/** How many spare sandboxes are waiting (started or starting). */
export function spareSandboxCount(): number {
  return spares.size;
}

/** Stops every waiting spare sandbox and idle sandbox thread (at shutdown, and between tests). */
export async function stopSpareSandboxes(): Promise<void> {
  const waiting = [...spares.values()];
  spares.clear();
  await Promise.all([
    ...waiting.map(async (spare) => {
      clearTimeout(spare.expiry);
      await spare.sandbox.then((sandbox) => sandbox.terminate()).catch(() => {});
    }),
    stopIdleSandboxThreads(),
  ]);
}

function takeSpare(limits: SandboxLimits): Promise<WorkerSandbox> | undefined {
  const key = limitsKey(limits);
  const spare = spares.get(key);
  if (spare === undefined) return undefined;
  spares.delete(key);
  clearTimeout(spare.expiry);
  return spare.sandbox;
}

function limitsKey(limits: SandboxLimits): string {
  return JSON.stringify(Object.entries(limits).sort(([a], [b]) => a.localeCompare(b)));
}

class WorkerSandbox implements Sandbox {
  readonly ready: Promise<void>;
  private host: SandboxHost = NO_HOST;
  private options: StartSandboxOptions | undefined;
  private readonly exited: Promise<void>;
  private markReady: (() => void) | undefined;
  private failStart: ((error: Error) => void) | undefined;
  private state: "starting" | "idle" | "running" | "closed" = "starting";
  private closedWith: SandboxResult | undefined;
  private resolveRun: ((result: SandboxResult) => void) | undefined;
  private stopWatchdog: (() => void) | undefined;
  private outbox: ToWorkerMessage[] = [];
  private ran = false;

  private readonly worker: Worker;
  /** Resolves when the worker has exited, or once its thread has been kept for another sandbox. */
  private markExited: (() => void) | undefined;

  constructor(
    private readonly thread: SandboxThread,
    private readonly limits: SandboxLimits,
    private readonly control: Int32Array,
  ) {
    this.worker = thread.worker;
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failStart = reject;
    });
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    this.worker.on("message", this.onMessage).on("error", this.onError).on("exit", this.onExit);
  }

  private readonly onError = (error: Error): void => this.close(crashed(error));

  private readonly onExit = (exitCode: number): void => {
    this.markExited?.();
    this.close(crashed(new Error(`the sandbox worker exited (code ${exitCode})`)));
  };

  /** Gives the sandbox its host (and its options); the worker is referenced again. */
  attach(options: StartSandboxOptions): void {
    this.options = options;
    this.host = options.host;
    this.worker.ref();
  }

  /** While a spare waits, its worker does not keep the process alive. */
  idle(): void {
    this.worker.unref();
  }

  run(program: SandboxProgram): Promise<SandboxResult> {
    if (this.ran) return Promise.reject(new SandboxReusedError());
    this.ran = true;
    if (this.state === "closed") return Promise.resolve(this.closedWith ?? terminated());
    this.state = "running";
    const result = new Promise<SandboxResult>((resolve) => (this.resolveRun = resolve));
    this.stopWatchdog = startWatchdog({
      control: this.control,
      graceMs: this.options?.watchdogGraceMs ?? Math.max(1000, Math.ceil(this.limits.cpuMs / 4)),
      onOverrun: () => {
        this.options?.log?.warn({ cpuMs: this.limits.cpuMs }, "sandbox worker killed: a guest burst overran its CPU time");
        this.close({ ok: false, error: toRunErrorInfo(new SandboxLimitError("cpuMs", this.limits.cpuMs)) });
      },
    });
    this.post({ t: "run", prelude: program.prelude, main: program.main, filename: program.filename });
    return result;
  }

  pushState(state: JsonValue): void {
    const json = JSON.stringify(state) ?? "null";
    const size = jsonBytesOver(json, this.limits.maxValueBytes);
    if (size !== undefined) throw new ValueTooLargeError("the sandbox state", size, this.limits.maxValueBytes);
    this.post({ t: "state", json });
  }

  async terminate(): Promise<void> {
    this.close(terminated());
    await this.exited;
  }

  private readonly onMessage = (messages: FromWorkerMessage[]): void => {
    // The next chunk may come once other work of this thread has had its turn (see protocol.ts).
    setImmediate(() => this.post({ t: "ack" }));
    for (const message of messages) {
      // Nothing is answered once the sandbox has ended; a kept thread's first message is its new engine's `ready`.
      if (this.state === "closed" || (this.state === "starting" && message.t !== "ready")) continue;
      switch (message.t) {
        case "call":
          this.call(message.id, message.name, message.json);
          break;
        case "notify":
          this.notify(message.name, message.json);
          break;
        case "done":
          this.close(
            message.ok
              ? { ok: true, value: message.json === undefined ? undefined : (JSON.parse(message.json) as JsonValue) }
              : { ok: false, error: message.error },
            // A thread keeps its last engine's memory until it next collects: only one that never grew is kept.
            message.engineBytes !== undefined && message.engineBytes <= ENGINE_START_BYTES,
          );
          break;
        case "ready":
          this.state = "idle";
          this.markReady?.();
          break;
      }
    }
  };

  private call(id: number, name: string, json: string): void {
    let answer: Promise<JsonValue | undefined>;
    try {
      answer = this.host.call(name, JSON.parse(json) as JsonValue[]);
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (value) => this.settleValue(id, name, value),
      (error: unknown) => this.post({ t: "settle", id, ok: false, error: toWireError(error) }),
    );
  }

  private settleValue(id: number, name: string, value: JsonValue | undefined): void {
    if (this.state === "closed") return;
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      const message = `the result of ${name}() cannot be sent as JSON: ${messageOf(error)}`;
      this.post({ t: "settle", id, ok: false, error: { name: "Error", code: SandboxErrorCode.hostError, message } });
      return;
    }
    const size = json === undefined ? undefined : jsonBytesOver(json, this.limits.maxValueBytes);
    if (size !== undefined) {
      const error = new ValueTooLargeError(`the result of ${name}()`, size, this.limits.maxValueBytes);
      this.post({ t: "settle", id, ok: false, error: toWireError(error) });
    } else {
      this.post({ t: "settle", id, ok: true, json });
    }
  }

  private notify(name: string, json: string): void {
    try {
      this.host.notify(name, JSON.parse(json) as JsonValue[]);
    } catch (error) {
      // A notification has no one to answer; a failing handler must not stop the script.
      this.options?.log?.warn({ err: error, name }, "sandbox notify handler failed");
    }
  }

  /**
   * Queues a message for the worker. Messages queued in the same tick (host
   * calls that settle together, such as journal replays) go in one post.
   */
  private post(message: ToWorkerMessage): void {
    if (this.state === "closed") return;
    this.outbox.push(message);
    if (this.outbox.length === 1) queueMicrotask(this.flushOutbox);
  }

  private readonly flushOutbox = (): void => {
    const messages = this.outbox;
    this.outbox = [];
    if (this.state !== "closed" && messages.length > 0) this.worker.postMessage(messages);
  };

  /**
   * Ends the sandbox once: settles a pending run with `result`, and keeps the
   * worker's thread for another sandbox when its program ended by itself
   * (`ended`), or stops it.
   */
  private close(result: SandboxResult, ended = false): void {
    if (this.state === "closed") return;
    const wasStarting = this.state === "starting";
    this.state = "closed";
    this.closedWith = result;
    this.stopWatchdog?.();
    if (ended) {
      this.worker.off("message", this.onMessage).off("error", this.onError).off("exit", this.onExit);
      releaseSandboxThread(this.thread);
      this.markExited?.();
    } else {
      void this.worker.terminate();
    }
    if (wasStarting) this.failStart?.(new SandboxStartError(result.ok ? "the worker stopped" : result.error.message));
    this.resolveRun?.(result);
  }
}

/** The host of a sandbox nothing has taken yet; a worker only calls its host once it runs a program. */
const NO_HOST: SandboxHost = {
  call: () => Promise.reject(new Error("the sandbox has no host")),
  notify: () => {},
};

function toWireError(error: unknown): WireError {
  if (error instanceof DynflowError) return { name: error.name, code: error.code, message: error.message };
  if (error instanceof Error) return { name: error.name, code: SandboxErrorCode.hostError, message: error.message };
  return { name: "Error", code: SandboxErrorCode.hostError, message: String(error) };
}

function terminated(): SandboxResult {
  return { ok: false, error: { code: SandboxErrorCode.terminated, message: "the sandbox was terminated before the script finished" } };
}

function crashed(error: Error): SandboxResult {
  const info: RunErrorInfo =
    (error as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY"
      ? { code: SandboxErrorCode.memory, message: `the sandbox ran out of memory: ${error.message}` }
      : { code: SandboxErrorCode.crashed, message: `the sandbox failed: ${error.message}` };
  return { ok: false, error: info };
}
