/**
 * Starts one command inside new namespaces (see `init-script.ts`) and waits
 * for it within its limits: wall time (the whole process tree is killed),
 * output (head and tail kept), and the per-process limits the script sets.
 * The command's environment is exactly `env`: nothing of this process's
 * environment is inherited.
 */
import { spawn } from "node:child_process";
import { abortReasonOf } from "../errors.js";
import { realTimers, type Timers } from "../time.js";
import { OutputCollector } from "./collect-output.js";
import { SandboxUnavailableError } from "./errors.js";
import { initArgv, type InitArgs } from "./init-script.js";
import type { CommandResult, SandboxLimit, CommandLimits } from "./types.js";

/** The host user commands run as when dynflow runs as root: `nobody`, so process limits hold. */
export const SANDBOX_UID = 65534;

export interface SpawnSandboxedOptions {
  layers: Pick<InitArgs, "lowerDirs" | "upperDir" | "workDir" | "deletions" | "mountPoint" | "skeleton" | "binds">;
  command: string;
  limits: CommandLimits;
  /** The whole environment of the command. */
  env: Record<string, string>;
  /** Keep the host's network (setup commands, when the config allows it). */
  network?: boolean;
  signal?: AbortSignal;
  timers?: Timers;
  /** Run as this host uid (root only; see `SANDBOX_UID`). */
  uid?: number;
}

const SIGNALS: Readonly<Record<string, number>> = { SIGKILL: 9, SIGXCPU: 24, SIGXFSZ: 25, SIGSEGV: 11, SIGABRT: 6, SIGTERM: 15, SIGINT: 2, SIGBUS: 7 };

/** The argv of the namespace launcher; the init script follows. */
export function launcherArgv(options: { network?: boolean; uid?: number }): string[] {
  const drop = options.uid === undefined ? [] : ["setpriv", `--reuid=${options.uid}`, `--regid=${options.uid}`, "--clear-groups"];
  return [...drop, "unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "--kill-child=SIGKILL", ...(options.network ? [] : ["--net"]), "perl"];
}

/** Runs the command; resolves with its result, rejects with `SandboxUnavailableError` when the sandbox itself failed. */
export function spawnSandboxed(options: SpawnSandboxedOptions): Promise<CommandResult> {
  const { limits } = options;
  const timers = options.timers ?? realTimers;
  const started = performance.now();
  const [program, ...launcher] = launcherArgv(options) as [string, ...string[]];
  const args = initArgv({
    ...options.layers,
    cpuSeconds: limits.cpuSeconds,
    memoryKb: limits.memoryMb * 1024,
    processes: limits.processes,
    fileKb: limits.diskMb * 1024,
    tmpfsKb: limits.diskMb * 1024,
    command: options.command,
  });
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new SandboxUnavailableError(`command not started: ${abortReasonOf(options.signal)}`));
      return;
    }
    const child = spawn(program, [...launcher, ...args], {
      env: options.env,
      cwd: "/",
      detached: true,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    const output = new OutputCollector(limits.outputKb * 1024);
    let ready = false;
    let limit: SandboxLimit | undefined;
    let spawnError: Error | undefined;
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = timers.setTimeout(() => {
      limit = "timeout";
      kill();
    }, limits.timeoutSeconds * 1000);
    const onAbort = () => kill();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout?.on("data", (chunk: Buffer) => output.write(chunk));
    child.stderr?.on("data", (chunk: Buffer) => output.write(chunk));
    const control = child.stdio[3] as NodeJS.ReadableStream | null;
    control?.on("data", () => {
      ready = true;
    });
    control?.on("error", () => undefined);
    child.on("error", (error) => {
      spawnError = error;
    });
    child.on("close", (code, signal) => {
      timers.clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      // Whatever the command left behind in its group goes with it.
      kill();
      if (spawnError !== undefined) {
        reject(new SandboxUnavailableError(`could not start the sandbox: ${spawnError.message}`, { cause: spawnError }));
        return;
      }
      if (options.signal?.aborted) {
        reject(new SandboxUnavailableError(`command stopped: ${abortReasonOf(options.signal)}`));
        return;
      }
      if (!ready && limit === undefined) {
        reject(new SandboxUnavailableError(`the sandbox could not be set up (exit ${code ?? signal}): ${output.text().trim()}`));
        return;
      }
      const exitCode = code ?? 128 + (SIGNALS[signal ?? ""] ?? 0);
      if (limit === undefined && (signal === "SIGXCPU" || exitCode === 128 + 24)) limit = "cpu";
      resolve({
        command: options.command,
        exitCode,
        output: output.text(),
        truncated: output.truncated,
        outputBytes: output.bytes,
        ...(limit ? { limit } : {}),
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}
