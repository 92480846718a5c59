import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten";
import type { RunErrorInfo, SandboxLimits } from "../types.js";
import type { Guest, SandboxProgram } from "./types.js";
import type { CpuMeter } from "./cpu-meter.js";
import { classifyEngineFailure, classifyGuestError, readGuestError } from "./describe-guest-error.js";
import { SandboxErrorCode, SandboxLimitError, ValueTooLargeError, toRunErrorInfo } from "./errors.js";
import { PRELUDE_FILE } from "./guest-sources.js";
import { installBridge, settleEntry, type BridgeHelpers, type HostAnswer } from "./install-bridge.js";
import { jsonBytesOver } from "./json-size.js";
import type { DoneMessage, FromWorkerMessage, SettleMessage, WireError } from "./protocol.js";

const MB = 1024 * 1024;
/**
 * Bytes of arguments of host calls waiting for their answer. Past this, a
 * new call fails at once, here in the worker: a script that starts a
 * thousand calls of a megabyte each cannot push a gigabyte at the host.
 */
export const MAX_PENDING_CALL_BYTES = 64 * MB;

/** The engine pieces a session drives, built by `createGuest`. */
export interface GuestSessionParts {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  meter: CpuMeter;
  limits: SandboxLimits;
  post(messages: FromWorkerMessage[]): void;
  /** True when the engine's WebAssembly memory is (nearly) at its maximum, or would be after allocating `bytes`. */
  memoryFull(bytes?: number): boolean;
  /** Bytes of the engine's WebAssembly memory now (it only grows). */
  memoryBytes(): number;
}

/**
 * One program's life in the engine: evaluating it, relaying its host calls,
 * delivering their results in batches, and ending the run exactly once, with
 * a result, a script error, or a limit.
 */
export class GuestSession implements Guest {
  private readonly helpers: BridgeHelpers;
  /** Ids of host calls the guest waits for. */
  /** Host calls the guest waits for, with the size of their arguments. */
  private readonly pending = new Map<number, number>();
  private pendingBytes = 0;
  private readonly scriptFiles = new Set<string>();
  /** Settled calls not yet delivered to the guest, as JSON entries. */
  private inbox: string[] = [];
  private outbox: FromWorkerMessage[] = [];
  private nextId = 1;
  private stateJson: string | undefined;
  private started = false;
  private finished = false;
  private flushScheduled = false;
  /** Bytes of the delivery being copied into the engine, so a failure to copy it reads as running out of memory. */
  private allocating = 0;

  private readonly runtime: QuickJSRuntime;
  private readonly context: QuickJSContext;
  private readonly meter: CpuMeter;
  private readonly limits: SandboxLimits;
  private readonly post: GuestSessionParts["post"];
  private readonly memoryFull: GuestSessionParts["memoryFull"];
  private readonly memoryBytes: GuestSessionParts["memoryBytes"];

  constructor(parts: GuestSessionParts) {
    const { context } = parts;
    this.runtime = parts.runtime;
    this.context = context;
    this.meter = parts.meter;
    this.limits = parts.limits;
    this.post = parts.post;
    this.memoryFull = parts.memoryFull;
    this.memoryBytes = parts.memoryBytes;
    this.helpers = installBridge(context, {
      call: (name, json) => this.call(name, json),
      notify: (name, json) => this.notify(name, json),
      state: () => (this.stateJson === undefined ? undefined : context.newString(this.stateJson)),
      compile: (code, filename) => {
        this.scriptFiles.add(filename);
        const result = context.evalCode(code, filename, { type: "global" });
        return result.error ? { error: result.error } : result.value;
      },
      done: (json) => this.done(json),
      fail: (error, fromResult) => this.fail(error, fromResult),
    });
  }

  run(program: SandboxProgram): void {
    if (this.started) return;
    this.started = true;
    this.scriptFiles.add(program.filename);
    this.guarded(() => {
      this.meter.measure(() => {
        const prelude = this.context.evalCode(program.prelude, PRELUDE_FILE, { type: "global" });
        if (prelude.error) return this.fail(prelude.error, false, true);
        prelude.value.dispose();
        const main = this.context.evalCode(program.main, program.filename, { type: "global" });
        if (main.error) return this.fail(main.error, false, true);
        const watched = this.context.callFunction(this.helpers.watch, this.context.undefined, main.value);
        main.value.dispose();
        if (watched.error) return this.fail(watched.error, false, true);
        watched.value.dispose();
        this.drainJobs();
      });
      this.afterBurst();
    });
  }

  settle(message: SettleMessage): void {
    const bytes = this.pending.get(message.id);
    if (this.finished || bytes === undefined) return;
    this.pending.delete(message.id);
    this.pendingBytes -= bytes;
    this.inbox.push(settleEntry(message));
    // Settles that arrive together are delivered, and their continuations run, in one burst.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  setState(json: string): void {
    this.stateJson = json;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.finished) return;
    const batch = `[${this.inbox.join(",")}]`;
    this.inbox = [];
    // Results that arrive together can outgrow the whole engine: that is the memory limit, said as such.
    const bytes = Buffer.byteLength(batch, "utf8");
    if (bytes >= this.limits.memoryMb * MB) {
      this.finish({ t: "done", ok: false, error: toRunErrorInfo(new SandboxLimitError("memoryMb", this.limits.memoryMb)) });
      this.post(this.takeOutbox());
      return;
    }
    this.allocating = bytes;
    this.guarded(() => {
      this.meter.measure(() => {
        const text = this.context.newString(batch);
        this.allocating = 0;
        const delivered = this.context.callFunction(this.helpers.deliver, this.context.undefined, text);
        text.dispose();
        if (delivered.error) return this.fail(delivered.error, false, true);
        delivered.value.dispose();
        this.drainJobs();
      });
      this.afterBurst();
    });
  };

  private drainJobs(): void {
    const result = this.runtime.executePendingJobs();
    if (result.error) this.fail(result.error, false, true);
  }

  /** After a burst: report a used-up CPU budget, or a script that can no longer make progress. */
  private afterBurst(): void {
    if (this.finished) return;
    if (this.meter.exceeded) {
      this.finish({ t: "done", ok: false, error: toRunErrorInfo(new SandboxLimitError("cpuMs", this.limits.cpuMs)) });
    } else if (this.started && this.pending.size === 0 && !this.flushScheduled && !this.runtime.hasPendingJob()) {
      this.finish({
        t: "done",
        ok: false,
        error: {
          code: SandboxErrorCode.stalled,
          message:
            "the script is waiting for a promise that nothing can settle any more (no agent or other host call is pending); " +
            "make sure every promise the script awaits is one returned by the script API or resolved by the script itself",
        },
      });
    }
  }

  private call(name: string, json: string): HostAnswer {
    const tooLarge = this.checkSize(`the arguments of ${name}()`, json);
    if (tooLarge) return { error: tooLarge };
    if (this.pendingBytes + json.length > MAX_PENDING_CALL_BYTES) {
      const message =
        `${name}(): calls still waiting for an answer already hold ${Math.round(this.pendingBytes / MB)} MB of arguments, ` +
        `the most a script may have in flight (${MAX_PENDING_CALL_BYTES / MB} MB); send agents file paths, not file contents, or start fewer at once`;
      return { error: this.newError({ name: "HostBudgetError", code: "host_budget_exceeded", message }) };
    }
    const id = this.nextId++;
    // After the run has ended the call is not sent: its promise never settles.
    if (!this.finished) {
      this.pending.set(id, json.length);
      this.pendingBytes += json.length;
      this.send({ t: "call", id, name, json });
    }
    return this.context.newNumber(id);
  }

  private notify(name: string, json: string): HostAnswer {
    const tooLarge = this.checkSize(`the arguments of ${name}()`, json);
    if (tooLarge) return { error: tooLarge };
    if (!this.finished) this.send({ t: "notify", name, json });
    return undefined;
  }

  private done(json: string | undefined): void {
    const size = json === undefined ? undefined : jsonBytesOver(json, this.limits.maxValueBytes);
    if (size === undefined) this.finish({ t: "done", ok: true, json });
    else {
      const error = new ValueTooLargeError("the script's result", size, this.limits.maxValueBytes);
      this.finish({ t: "done", ok: false, error: toRunErrorInfo(error) });
    }
  }

  /** Ends the run with a thrown guest value; `fromResult`: the result had no JSON form. */
  private fail(thrown: QuickJSHandle, fromResult: boolean, owned = false): void {
    const facts = readGuestError(this.context, thrown);
    if (owned) thrown.dispose();
    const isScriptFile = (file: string) => this.scriptFiles.has(file);
    let error: RunErrorInfo;
    if (this.meter.exceeded) {
      // No location: the engine reports an interrupted frame at line 1, whatever the line.
      error = toRunErrorInfo(new SandboxLimitError("cpuMs", this.limits.cpuMs));
    } else {
      error = classifyGuestError(facts, this.limits, isScriptFile);
      if (fromResult) error = { code: SandboxErrorCode.error, message: `the script's result cannot be sent as JSON: ${error.message}` };
    }
    this.finish({ t: "done", ok: false, error });
  }

  private send(message: FromWorkerMessage): void {
    this.outbox.push(message);
  }

  private finish(message: DoneMessage): void {
    if (this.finished) return;
    this.finished = true;
    this.send({ ...message, engineBytes: this.memoryBytes() });
  }

  /**
   * Runs host-side work on the engine, then posts what it produced. A failure
   * of the engine itself ends the run.
   */
  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.finish({ t: "done", ok: false, error: classifyEngineFailure(error, this.meter.exceeded, this.memoryFull(this.allocating), this.limits) });
    }
    this.allocating = 0;
    if (this.outbox.length > 0) this.post(this.takeOutbox());
  }

  private takeOutbox(): FromWorkerMessage[] {
    const messages = this.outbox;
    this.outbox = [];
    return messages;
  }

  private checkSize(what: string, json: string): QuickJSHandle | undefined {
    const size = jsonBytesOver(json, this.limits.maxValueBytes);
    if (size === undefined) return undefined;
    const error = new ValueTooLargeError(what, size, this.limits.maxValueBytes);
    return this.newError({ name: "ValueTooLargeError", code: error.code, message: error.message });
  }

  private newError(error: WireError): QuickJSHandle {
    const { context } = this;
    const args = [context.newString(error.name), context.newString(error.code), context.newString(error.message)];
    const made = context.callFunction(this.helpers.makeError, context.undefined, ...args);
    for (const arg of args) arg.dispose();
    // Creating an error can only fail when the guest is out of memory; the engine's own error stands in.
    return made.error ?? made.value;
  }
}
