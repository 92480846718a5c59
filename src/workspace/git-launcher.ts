/**
 * Starts git processes from a small helper process instead of this one.
 *
 * Node starts a child by forking, and on Linux a fork costs in proportion to
 * the parent's memory: its page tables are copied, and afterwards every page
 * the parent writes takes a fault (each one costly on a VM). A dynflow worker
 * holds a few hundred megabytes, so each git it starts costs it tens of
 * milliseconds of CPU, most of it after the start, spread over whatever it
 * does next (measured in docs/benchmarks.md). The launcher (see
 * git-launcher-program.ts) is a Node process of a few tens of megabytes that
 * does the forking; git's input and output are sockets connected to this
 * process directly, so nothing is relayed.
 *
 * What a caller gets behaves as the `ChildProcess` of `spawn(..., { stdio:
 * "pipe" })` does for the parts dynflow uses: `stdin`, `stdout`, `stderr`,
 * `kill`, and the `error`, `exit` and `close` events (`close` once the
 * process has exited and both outputs have ended; an `AbortSignal` kills it
 * and emits an `AbortError`). If the launcher cannot be started, git is
 * started here as before.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GIT_LAUNCHER_PROGRAM } from "./git-launcher-program.js";
import { LaunchedGit, type FromLauncher } from "./launched-git.js";

/** What dynflow uses of a started git process. */
export type GitChild = Pick<ChildProcessWithoutNullStreams, "stdin" | "stdout" | "stderr" | "kill" | "on" | "once">;

export interface LaunchOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** The longest header a launcher's connection starts with (`<id> <fd>\n`). */
const MAX_HEADER = 128;
/** A launcher that went away this often is not started again. */
const MAX_LOSSES = 3;

export interface GitLauncherOptions {
  /** The Node binary the launcher runs on (default this process's). */
  nodePath?: string;
  /** Where its socket's private directory is made (default the system's temp dir). */
  tempDir?: string;
}

export class GitLauncher {
  private readonly nodePath: string;
  private readonly tempDir: string;
  private child: ChildProcess | undefined;
  private server: Server | undefined;
  private dir: string | undefined;
  private starting: Promise<boolean> | undefined;
  /** The launcher could not be started: git starts here. */
  private broken = false;
  private readonly running = new Map<string, LaunchedGit>();
  private readonly prefix = randomBytes(8).toString("hex");
  private counter = 0;

  /** Times the launcher went away on its own; after `MAX_LOSSES` git starts here. */
  private losses = 0;

  constructor(options: GitLauncherOptions = {}) {
    this.nodePath = options.nodePath ?? process.execPath;
    this.tempDir = options.tempDir ?? tmpdir();
  }

  /** Starts `file` with `args`, through the launcher when it runs. */
  launch(file: string, args: readonly string[], options: LaunchOptions): GitChild {
    if (this.broken) return spawnHere(file, args, options);
    const id = `${this.prefix}-${++this.counter}`;
    const launched = new LaunchedGit((signal) => this.child?.send({ t: "kill", id, signal }), () => this.forget(id));
    this.running.set(id, launched);
    this.child?.channel?.ref();
    void this.ready().then((ok) => {
      if (launched.settled) return;
      if (ok && this.child?.connected) {
        this.child.send({ t: "spawn", id, file, args, cwd: options.cwd, env: options.env });
        launched.sent();
      } else launched.adopt(spawnHere(file, args, { cwd: options.cwd, env: options.env }));
    });
    if (options.signal) launched.abortOn(options.signal);
    return launched as unknown as GitChild;
  }

  /**
   * Starts the launcher now, ahead of the first git process (a process that
   * will run git calls it when it starts); resolves with whether it runs.
   */
  prepare(): Promise<boolean> {
    return this.broken ? Promise.resolve(false) : this.ready();
  }

  /** Stops the launcher: the git processes it runs are stopped with it, and fail. */
  close(): void {
    const child = this.child;
    this.child = undefined;
    child?.disconnect();
    this.cleanUp();
    for (const launched of [...this.running.values()]) launched.lost();
  }

  private cleanUp(): void {
    this.server?.close();
    this.server = undefined;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private ready(): Promise<boolean> {
    if (this.child?.connected) return Promise.resolve(true);
    if (this.starting === undefined) {
      const starting = this.start().then(
        () => true,
        () => {
          // What waits for it is started here instead.
          this.broken = true;
          this.cleanUp();
          return false;
        },
      );
      this.starting = starting;
      void starting.finally(() => (this.starting = undefined));
    }
    return this.starting;
  }

  private async start(): Promise<void> {
    // A directory only this user can enter: only this user's processes can connect.
    const dir = mkdtempSync(join(this.tempDir, "dynflow-git-"));
    this.dir = dir;
    const path = join(dir, "launcher.sock");
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
    server.unref();
    // No environment and none of this process's flags (a loader, a profiler): each git gets its own environment.
    const child = spawn(this.nodePath, ["-e", GIT_LAUNCHER_PROGRAM, path], { cwd: dir, env: {}, stdio: ["ignore", "ignore", "inherit", "ipc"] });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.on("message", (message: FromLauncher) => this.running.get(message.id)?.receive(message));
    child.on("error", () => undefined);
    child.on("exit", () => {
      if (this.child !== child) return;
      if (++this.losses >= MAX_LOSSES) this.broken = true;
      this.close();
    });
    child.unref();
    if (this.running.size === 0) child.channel?.unref();
    this.child = child;
  }

  /** A connection from the launcher: its header names the process and which of its streams it is. */
  private accept(socket: Socket): void {
    socket.on("error", () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(10);
      if (end < 0) {
        if (head.length > MAX_HEADER) socket.destroy();
        return;
      }
      socket.off("data", onData);
      socket.pause();
      const [id, fd] = head.toString("latin1", 0, end).split(" ");
      const launched = this.running.get(id ?? "");
      if (!launched || (fd !== "0" && fd !== "1" && fd !== "2")) socket.destroy();
      else launched.attach(Number(fd) as 0 | 1 | 2, socket, head.subarray(end + 1));
    };
    socket.on("data", onData);
  }

  private forget(id: string): void {
    this.running.delete(id);
    if (this.running.size === 0) this.child?.channel?.unref();
  }
}

/** Starts git in this process (no launcher). */
function spawnHere(file: string, args: readonly string[], options: LaunchOptions): ChildProcessWithoutNullStreams {
  return spawn(file, args, { cwd: options.cwd, env: options.env, stdio: "pipe", signal: options.signal });
}

let shared: GitLauncher | undefined;

/** The process's launcher, started on first use. */
export function gitLauncher(): GitLauncher {
  shared ??= new GitLauncher();
  return shared;
}

/** Starts the process's launcher ahead of its first git (see `GitLauncher.prepare`). */
export function prepareGitLauncher(): Promise<boolean> {
  return gitLauncher().prepare();
}
