/**
 * Shapes of the command sandbox: its limits, what one command returns, and
 * why a sandbox is missing.
 */

/** Bounds of one sandboxed command. */
export interface CommandLimits {
  /** Wall time; the command's whole process tree is killed after it. */
  timeoutSeconds: number;
  /** CPU seconds per process (`ulimit -t`). */
  cpuSeconds: number;
  /** Writable private memory per process (heap, buffers), in MiB (`ulimit -d`; address space merely reserved, as WebAssembly does, is not counted). */
  memoryMb: number;
  /** Processes (and threads) inside the sandbox (`ulimit -u`). */
  processes: number;
  /** Output kept for the caller, in KiB: its head and its tail; the middle is dropped and counted. */
  outputKb: number;
  /** Largest file a command may write, and the size of its scratch space (the writable layer, /tmp, $HOME), in MiB. */
  diskMb: number;
}

export const DEFAULT_COMMAND_LIMITS: Readonly<CommandLimits> = Object.freeze({
  timeoutSeconds: 600,
  cpuSeconds: 1200,
  memoryMb: 4096,
  processes: 256,
  outputKb: 64,
  diskMb: 2048,
});

/** Which limit ended a command. */
export type SandboxLimit = "timeout" | "cpu";

/** What one sandboxed command did. */
export interface CommandResult {
  /** The command line as run. */
  command: string;
  /** Its exit code; 128 + n when a signal n ended it. */
  exitCode: number;
  /** stdout and stderr interleaved, cut to the head and tail when longer than the limit. */
  output: string;
  /** Whether the middle of the output was dropped. */
  truncated: boolean;
  /** Bytes the command printed in all. */
  outputBytes: number;
  /** Set when a limit of the sandbox ended the command. */
  limit?: SandboxLimit;
  durationMs: number;
}

/** Whether commands can be sandboxed on this host, and if not why. */
export type SandboxAvailability = { available: true } | { available: false; reason: string };
