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
import { CONTROL_BYTES, type FromWorkerMessage, type ToWorkerMessage, type WireError } from "./protocol.js";
import { loadQuickJSWasm, spawnSandboxWorker, workerResourceLimits } from "./spawn-sandbox-worker.js";
import { sandboxWorkerEntry } from "./sandbox-worker-entry.js";
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
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const [wasmModule, entry] = await Promise.all([loadQuickJSWasm(), sandboxWorkerEntry()]);
  const worker = spawnSandboxWorker(
    entry,
    wasmModule ? { limits, control, wasmModule } : { limits, control },
    workerResourceLimits(limits.stackKb),
  );
  const sandbox = new WorkerSandbox(worker, limits, options, new Int32Array(control));
  await sandbox.ready;
  return sandbox;
}

class WorkerSandbox implements Sandbox {
  readonly ready: Promise<void>;
  private readonly host: SandboxHost;
  private readonly exited: Promise<void>;
  private markReady: (() => void) | undefined;
  private failStart: ((error: Error) => void) | undefined;
  private state: "starting" | "idle" | "running" | "closed" = "starting";
  private closedWith: SandboxResult | undefined;
  private resolveRun: ((result: SandboxResult) => void) | undefined;
  private stopWatchdog: (() => void) | undefined;
  private outbox: ToWorkerMessage[] = [];
  private ran = false;

  constructor(
    private readonly worker: Worker,
    private readonly limits: SandboxLimits,
    private readonly options: StartSandboxOptions,
    private readonly control: Int32Array,
  ) {
    this.host = options.host;
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failStart = reject;
    });
    this.exited = new Promise((resolve) => worker.once("exit", () => resolve()));
    worker.on("message", this.onMessage);
    worker.on("error", (error) => this.close(crashed(error)));
    worker.on("exit", (exitCode) => this.close(crashed(new Error(`the sandbox worker exited (code ${exitCode})`))));
  }

  run(program: SandboxProgram): Promise<SandboxResult> {
    if (this.ran) return Promise.reject(new SandboxReusedError());
    this.ran = true;
    if (this.state === "closed") return Promise.resolve(this.closedWith ?? terminated());
    this.state = "running";
    const result = new Promise<SandboxResult>((resolve) => (this.resolveRun = resolve));
    this.stopWatchdog = startWatchdog({
      control: this.control,
      graceMs: this.options.watchdogGraceMs ?? Math.max(1000, Math.ceil(this.limits.cpuMs / 4)),
      onOverrun: () => {
        this.options.log?.warn({ cpuMs: this.limits.cpuMs }, "sandbox worker killed: a guest burst overran its CPU time");
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
      this.options.log?.warn({ err: error, name }, "sandbox notify handler failed");
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

  /** Ends the sandbox once: settles a pending run with `result` and stops the worker. */
  private close(result: SandboxResult): void {
    if (this.state === "closed") return;
    const wasStarting = this.state === "starting";
    this.state = "closed";
    this.closedWith = result;
    this.stopWatchdog?.();
    void this.worker.terminate();
    if (wasStarting) this.failStart?.(new SandboxStartError(result.ok ? "the worker stopped" : result.error.message));
    this.resolveRun?.(result);
  }
}

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
