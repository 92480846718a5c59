/**
 * One git process started by the git launcher (git-launcher.ts), seen as the
 * `ChildProcess` of `spawn(..., { stdio: "pipe" })`: `stdin`, `stdout` and
 * `stderr` are streams at once, connected to git's own once the launcher's
 * connections arrive (what is written before waits); `exit` and `error`
 * come from the launcher's messages, and `close` once the process has
 * exited and both outputs have ended. A kill asked for before the launcher
 * was told to start it follows that message; an aborted signal kills it and
 * emits an `AbortError`, as `spawn` does.
 */
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { PassThrough, Writable } from "node:stream";

/**
 * A process's input before and after git's own is connected: what is written
 * before waits, then goes on in order. Chunks written together (a corked
 * batch of requests) reach git in one write, as they would through `spawn`'s
 * pipe; errors of git's side are not passed on (git may exit without reading
 * its input, and its exit code tells what happened).
 */
class GitInput extends Writable {
  private target: Writable | null | undefined;
  private onConnect: (() => void) | undefined;

  /** Where the input goes from now on; null drops it (the process will never read it). */
  connect(target: Writable | null): void {
    if (this.target !== undefined) return;
    this.target = target;
    target?.on("error", () => undefined);
    const waiting = this.onConnect;
    this.onConnect = undefined;
    waiting?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.whenConnected(() => this.forward(chunk, callback));
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const data = chunks.length === 1 ? (chunks[0] as { chunk: Buffer }).chunk : Buffer.concat(chunks.map(({ chunk }) => chunk));
    this.whenConnected(() => this.forward(data, callback));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.whenConnected(() => {
      this.target?.end();
      callback();
    });
  }

  private forward(data: Buffer, callback: () => void): void {
    if (!this.target || this.target.destroyed || this.target.writableEnded) callback();
    else this.target.write(data, () => callback());
  }

  private whenConnected(then: () => void): void {
    if (this.target !== undefined) then();
    else this.onConnect = then;
  }
}

/** What the launcher reports about a process. */
export type FromLauncher =
  | { t: "spawned"; id: string; pid: number }
  | { t: "error"; id: string; error: { message: string; code?: string; errno?: number; syscall?: string; path?: string } }
  | { t: "exit"; id: string; code: number | null; signal: NodeJS.Signals | null };

/** One git process started by the launcher, seen as a `ChildProcess`. */
export class LaunchedGit extends EventEmitter {
  readonly stdin = new GitInput();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  private spawned = false;
  private input: Socket | undefined;
  private readonly outputs: Socket[] = [];
  private outputsEnded = 0;
  /** How it ended: exited, failed to start, or lost with the launcher. */
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private closed = false;
  /** Failed to start, or lost: its outputs are ended. */
  private broken = false;
  private here: ChildProcessWithoutNullStreams | undefined;
  /** The spawn message has gone to the launcher: a kill can follow it. */
  private started = false;
  /** A kill asked for before that. */
  private pendingKill: NodeJS.Signals | number | undefined;

  constructor(
    private readonly sendKill: (signal: NodeJS.Signals | number) => void,
    private readonly done: () => void,
  ) {
    super();
    for (const output of [this.stdout, this.stderr]) {
      output.once("end", () => {
        this.outputsEnded++;
        this.maybeClose();
      });
    }
  }

  /** Exited, failed to start, or lost with the launcher. */
  get settled(): boolean {
    return this.exit !== undefined;
  }

  kill(signal: NodeJS.Signals | number = "SIGTERM"): boolean {
    if (this.settled) return false;
    if (this.here) return this.here.kill(signal);
    if (this.started) this.sendKill(signal);
    else this.pendingKill = signal;
    return true;
  }

  /** The launcher was asked to start the process. */
  sent(): void {
    this.started = true;
    if (this.pendingKill !== undefined) this.sendKill(this.pendingKill);
  }

  abortOn(signal: AbortSignal): void {
    const abort = () => {
      this.kill("SIGTERM");
      this.emit("error", Object.assign(new Error("The operation was aborted", { cause: signal.reason }), { name: "AbortError", code: "ABORT_ERR" }));
    };
    if (signal.aborted) {
      process.nextTick(abort);
      return;
    }
    signal.addEventListener("abort", abort, { once: true });
    this.once("close", () => signal.removeEventListener("abort", abort));
  }

  receive(message: FromLauncher): void {
    if (message.t === "spawned") {
      this.spawned = true;
      this.connectInput();
    } else if (message.t === "exit") {
      this.exited(message.code, message.signal);
    } else {
      const { message: text, ...fields } = message.error;
      this.failed(Object.assign(new Error(text), fields));
    }
  }

  /** A connection for fd 0, 1 or 2 of this process, and what followed its header. */
  attach(fd: 0 | 1 | 2, socket: Socket, rest: Buffer): void {
    if (this.broken || (this.settled && !this.spawned)) {
      socket.destroy();
      return;
    }
    if (fd === 0) {
      this.input = socket;
      this.connectInput();
      return;
    }
    const output = fd === 1 ? this.stdout : this.stderr;
    this.outputs.push(socket);
    if (rest.length > 0) output.write(rest);
    socket.pipe(output);
  }

  /** The launcher could not be used: `child`, started here, takes this process's place. */
  adopt(child: ChildProcessWithoutNullStreams): void {
    this.here = child;
    this.stdin.connect(child.stdin);
    child.stdout.pipe(this.stdout);
    child.stderr.pipe(this.stderr);
    // A child that could not be started reports an error and never an exit.
    child.on("error", (error) => (child.pid === undefined ? this.failed(error) : this.emit("error", error)));
    child.on("exit", (code, signal) => this.exited(code, signal));
    if (this.pendingKill !== undefined) child.kill(this.pendingKill);
  }

  /** The launcher went away before this process's exit was reported (one not yet asked for is started by the next). */
  lost(): void {
    if (this.here || this.settled || !this.started) return;
    this.failed(new Error("the git launcher stopped"));
  }

  private connectInput(): void {
    if (!this.spawned || !this.input) return;
    this.stdin.connect(this.input);
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.settled) return;
    this.exit = { code, signal };
    this.emit("exit", code, signal);
    // As Node does for a child's output nobody reads: it is drained, so the process can be seen closed.
    for (const output of [this.stdout, this.stderr]) if (output.listenerCount("data") === 0 && !output.readableFlowing) output.resume();
    this.maybeClose();
  }

  private failed(error: Error): void {
    if (this.settled) return;
    this.broken = true;
    this.exit = { code: null, signal: null };
    this.input?.destroy();
    this.stdin.connect(null);
    for (const socket of this.outputs) socket.destroy();
    // Whatever arrived is passed on; nothing more will.
    for (const output of [this.stdout, this.stderr]) {
      output.end();
      if (output.listenerCount("data") === 0 && !output.readableFlowing) output.resume();
    }
    this.emit("error", error);
    this.maybeClose();
  }

  private maybeClose(): void {
    if (this.closed || !this.exit || this.outputsEnded < 2) return;
    this.closed = true;
    this.input?.destroy();
    this.done();
    this.emit("close", this.exit.code, this.exit.signal);
  }
}
