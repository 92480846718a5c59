/**
 * What a CLI command needs from the outside world, injected so commands run
 * in-process in tests exactly as they do from a terminal.
 */
import { DynflowError } from "../errors.js";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** True when stdout is a terminal (live progress), false for pipes and CI. */
  isTty: boolean;
  /** The terminal's size, for the live progress block (default 80 × 24). */
  columns?: number;
  rows?: number;
  env: Record<string, string | undefined>;
  /** Subscribes to Ctrl-C (SIGINT) for the command's duration; returns the unsubscribe. Absent: interrupts are not handled. */
  onInterrupt?: (listener: () => void) => () => void;
  /** Ends the process at once (default `process.exit`). */
  exit?: (code: number) => void;
}

/** Bad command-line usage: exit code 2 and the command's usage text. */
export class UsageError extends DynflowError {
  constructor(message: string) {
    super("usage", message);
  }
}

/** Parses a whole-number flag, naming the flag and the range on failure. */
export function intFlag(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}; got "${value}"`);
  }
  return n;
}

/** Parses a positive decimal flag (dollars). */
export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number; got "${value}"`);
  return n;
}

/** Parses `--args`: JSON when it parses, an error naming the flag otherwise. */
export function jsonFlag(name: string, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new UsageError(`--${name} must be JSON (e.g. '{"dir":"src"}'): ${(error as Error).message}`);
  }
}
