/**
 * A run's command sandbox. The base tree is written once per run (read-only
 * from then on, the overlay's lowest layer); `setup` commands may add one
 * layer on it (e.g. node_modules); each command then lays the agent's own
 * changes over both, so its cost follows the files it touched, not the size
 * of the repository.
 */
import { execFile } from "node:child_process";
import { chmod, lchown, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Logger } from "pino";
import type { GitRepository, LayerFile } from "../workspace/index.js";
import type { Timers } from "../time.js";
import { SetupFailedError } from "./errors.js";
import { SANDBOX_UID, spawnSandboxed } from "./spawn-sandboxed.js";
import { writeSkeleton } from "./write-skeleton.js";
import { DEFAULT_COMMAND_LIMITS, type CommandResult, type CommandLimits } from "./types.js";

export interface CommandSandboxOptions {
  repository: GitRepository;
  /** The commit every command's tree starts from (the run's base). */
  baseCommit: string;
  limits?: Partial<CommandLimits>;
  /** Fixed variables every command sees besides PATH, HOME, TMPDIR and LANG; nothing is inherited. */
  env?: Record<string, string>;
  /** Parent of the run's sandbox directory (default the system's temp directory). */
  dir?: string;
  log?: Logger;
  timers?: Timers;
}

/** The environment a command starts from; the configuration's fixed variables are added to it. */
export const BASE_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/home/sandbox",
  TMPDIR: "/tmp",
  LANG: "C.UTF-8",
});

/** A run's sandbox; create it with `CommandSandbox.create`, close it when the run ends. */
export class CommandSandbox {
  readonly baseCommit: string;
  readonly limits: CommandLimits;
  private readonly root: string;
  private readonly repository: GitRepository;
  private readonly env: Record<string, string>;
  private readonly uid: number | undefined;
  private binds: string[] = [];
  private readonly timers: Timers | undefined;
  private setupLayer: string | undefined;
  private serial = 0;
  private setupStarted = false;

  private constructor(root: string, options: CommandSandboxOptions, uid: number | undefined) {
    this.root = root;
    this.repository = options.repository;
    this.baseCommit = options.baseCommit;
    this.limits = { ...DEFAULT_COMMAND_LIMITS, ...options.limits };
    this.env = { ...(options.env ?? {}), ...BASE_ENV };
    this.uid = uid;
    this.timers = options.timers;
  }

  /** Writes the base tree (once per run) and returns the sandbox. */
  static async create(options: CommandSandboxOptions): Promise<CommandSandbox> {
    const root = await mkdtemp(join(options.dir ?? tmpdir(), "dynflow-sandbox-"));
    // Commands run as another user when dynflow is root; they must be able to walk to their layers.
    await chmod(root, 0o755);
    const uid = process.getuid?.() === 0 ? SANDBOX_UID : undefined;
    const sandbox = new CommandSandbox(root, options, uid);
    try {
      await Promise.all([mkdir(sandbox.path("base")), mkdir(sandbox.path("skeleton"))]);
      sandbox.binds = await writeSkeleton(sandbox.path("skeleton"), toolchainDirs());
      await sandbox.own(sandbox.path("skeleton"));
      await options.repository.materialize(options.baseCommit, sandbox.path("base"));
      await sandbox.own(sandbox.path("base"));
    } catch (error) {
      await sandbox.close();
      throw error;
    }
    return sandbox;
  }

  /**
   * Runs the setup commands in order on the base tree, with the network only
   * when `network`; what they write becomes a read-only layer of every later
   * command. Throws `SetupFailedError` at the first that fails.
   */
  async setup(commands: readonly string[], options: { network: boolean; signal?: AbortSignal }): Promise<CommandResult[]> {
    if (commands.length === 0) return [];
    if (this.setupStarted) throw new Error("setup runs once per sandbox");
    this.setupStarted = true;
    const upper = this.path("setup");
    const work = this.path("setup-work");
    await Promise.all([mkdir(upper), mkdir(work)]);
    await Promise.all([this.own(upper), this.own(work)]);
    const results: CommandResult[] = [];
    for (const command of commands) {
      const mountPoint = await this.scratch();
      try {
        const result = await spawnSandboxed({
          layers: { ...this.layout(), mountPoint, lowerDirs: [this.path("base")], upperDir: upper, workDir: work, deletions: "" },
          command,
          limits: this.limits,
          env: this.env,
          network: options.network,
          signal: options.signal,
          timers: this.timers,
          uid: this.uid,
        });
        results.push(result);
        if (result.exitCode !== 0 || result.limit) throw new SetupFailedError(command, result.exitCode, result.output, result.limit);
      } finally {
        await rm(mountPoint, { recursive: true, force: true });
      }
    }
    this.setupLayer = upper;
    return results;
  }

  /** Runs `command` on the base tree (and the setup's layer) with `layer` laid over it. */
  async run(command: string, layer: readonly LayerFile[], options: { signal?: AbortSignal } = {}): Promise<CommandResult> {
    const dir = await this.scratch();
    try {
      const changes = join(dir, "changes");
      const mountPoint = join(dir, "mnt");
      await Promise.all([mkdir(changes, { mode: 0o755 }), mkdir(mountPoint, { mode: 0o755 })]);
      const written = [dir, changes, mountPoint];
      const deleted = await this.writeLayer(changes, layer, written);
      let deletions = "";
      if (deleted.length > 0) {
        deletions = join(dir, "deletions");
        await writeFile(deletions, deleted.map((path) => `${path}\0`).join(""));
      }
      if (this.uid !== undefined) await Promise.all(written.map((path) => lchown(path, this.uid as number, this.uid as number)));
      const lowerDirs = [...(written.length > 3 ? [changes] : []), ...(this.setupLayer ? [this.setupLayer] : []), this.path("base")];
      return await spawnSandboxed({
        layers: { ...this.layout(), mountPoint, lowerDirs, upperDir: "", workDir: "", deletions },
        command,
        limits: this.limits,
        env: this.env,
        signal: options.signal,
        timers: this.timers,
        uid: this.uid,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Removes every tree of the run. */
  async close(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  private layout(): { skeleton: string; binds: string[] } {
    return { skeleton: this.path("skeleton"), binds: this.binds };
  }

  private path(name: string): string {
    return join(this.root, name);
  }

  /** A fresh empty directory for one command. */
  private async scratch(): Promise<string> {
    const dir = this.path(`cmd-${++this.serial}`);
    await mkdir(dir, { mode: 0o755 });
    return dir;
  }

  /** Writes the files of `layer`, adding every path it creates to `written`; returns the paths it deletes. */
  private async writeLayer(dir: string, layer: readonly LayerFile[], written: string[]): Promise<string[]> {
    const deleted: string[] = [];
    const dirs = new Set<string>([dir]);
    for (const file of layer) {
      if (file.content === null) {
        deleted.push(file.path);
        continue;
      }
      const target = join(dir, file.path);
      await this.makeParents(dir, dirname(target), dirs, written);
      if (file.symlink) await symlink(file.content.toString("utf8"), target);
      else await writeFile(target, file.content, { mode: file.executable ? 0o755 : 0o644 });
      written.push(target);
    }
    return deleted;
  }

  private async makeParents(root: string, parent: string, dirs: Set<string>, written: string[]): Promise<void> {
    if (dirs.has(parent)) return;
    await this.makeParents(root, dirname(parent), dirs, written);
    await mkdir(parent, { mode: 0o755 });
    dirs.add(parent);
    written.push(parent);
  }

  /** Gives a tree to the user commands run as (a no-op unless dynflow is root). */
  private async own(path: string): Promise<void> {
    if (this.uid === undefined) return;
    const owner = `${this.uid}:${this.uid}`;
    await new Promise<void>((resolve, reject) =>
      execFile("chown", ["-R", owner, path], { env: { ...BASE_ENV } }, (error) => (error ? reject(error) : resolve())),
    );
  }
}

/** Where this Node lives when it is not under /usr (e.g. /opt/node): commands see it too. */
function toolchainDirs(): string[] {
  const prefix = dirname(dirname(process.execPath));
  return prefix.startsWith("/usr") || prefix === "/" ? [] : [prefix];
}

