/**
 * Errors of the script sandbox. Guest failures reach the host as
 * `RunErrorInfo` (they happen in another thread); the classes here build those
 * messages in one place and are thrown where the host itself is called wrongly.
 */
import { DynflowError } from "../../errors.js";
import type { RunErrorInfo, SandboxLimits } from "../types.js";

/** Stable codes of the errors a sandbox run can end with (besides codes the script or host chose). */
export const SandboxErrorCode = {
  /** The script used its CPU time (`limits.cpuMs`). */
  timeout: "script_timeout",
  /** The script used its memory (`limits.memoryMb`). */
  memory: "script_memory",
  /** The script recursed past its stack (`limits.stackKb`). */
  stack: "script_stack",
  /** The script touched something a script cannot have (`process`, `require`, `fetch`, `import()`, timers). */
  forbidden: "script_forbidden",
  /** The script read the clock or randomness (`Date.now()`, `new Date()`, `Math.random()`). */
  nondeterministic: "script_nondeterministic",
  /** An uncaught script error without a code of its own. */
  error: "script_error",
  /** The script waits for a promise nothing can settle any more. */
  stalled: "script_stalled",
  /** A value crossing the boundary is larger than `limits.maxValueBytes`. */
  valueTooLarge: "value_too_large",
  /** A host function failed with an error that is not a `DynflowError`. */
  hostError: "host_error",
  /** `Sandbox.terminate()` stopped the script. */
  terminated: "sandbox_terminated",
  /** The sandbox's engine or worker failed on its own. */
  crashed: "sandbox_crashed",
} as const;

/** The script went over one of its resource limits. */
export class SandboxLimitError extends DynflowError {
  constructor(
    readonly limit: "cpuMs" | "memoryMb" | "stackKb",
    readonly value: number,
  ) {
    super(limitCode[limit], limitMessage(limit, value));
  }
}

const limitCode = {
  cpuMs: SandboxErrorCode.timeout,
  memoryMb: SandboxErrorCode.memory,
  stackKb: SandboxErrorCode.stack,
} as const;

function limitMessage(limit: SandboxLimitError["limit"], value: number): string {
  switch (limit) {
    case "cpuMs":
      return (
        `the script ran for more than ${value} ms of CPU time (limits.cpuMs; time spent waiting for agents does not count). ` +
        `Move heavy work into agents, or raise limits.cpuMs.`
      );
    case "memoryMb":
      return (
        `the script needed more than ${value} MB of memory (limits.memoryMb). ` +
        `Keep large data in the repository and pass paths or summaries around, or raise limits.memoryMb.`
      );
    case "stackKb":
      return (
        `Maximum call stack size exceeded: the script recursed deeper than its ${value} KB stack (limits.stackKb). ` +
        `Use a loop instead of deep recursion, or raise limits.stackKb.`
      );
  }
}

/** A value crossing the sandbox boundary is larger than `limits.maxValueBytes` as JSON. */
export class ValueTooLargeError extends DynflowError {
  constructor(
    /** What the value is, e.g. `the result of agent()`. */
    readonly what: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      SandboxErrorCode.valueTooLarge,
      `${what}: ${size} bytes as JSON, over the limit of ${limit} bytes (limits.maxValueBytes). ` +
        `Pass something smaller (a summary, a file path), or raise limits.maxValueBytes.`,
    );
  }
}

/** A sandbox limit is outside the range the sandbox supports. */
export class InvalidSandboxLimitError extends DynflowError {
  constructor(
    readonly limit: keyof SandboxLimits,
    readonly value: unknown,
    readonly min: number,
    readonly max: number,
  ) {
    super(
      "sandbox_limit_invalid",
      `limits.${limit} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
}

/** The sandbox's worker or engine could not be started. */
export class SandboxStartError extends DynflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("sandbox_start_failed", `the script sandbox could not start: ${message}`, options);
  }
}

/** `Sandbox.run` was called a second time; a sandbox runs one program. */
export class SandboxReusedError extends DynflowError {
  constructor() {
    super("sandbox_reused", "a sandbox runs one program: start a new sandbox for each run");
  }
}

/** The `RunErrorInfo` for a DynflowError raised about the script at an optional location. */
export function toRunErrorInfo(error: DynflowError, location?: { line?: number; file?: string }): RunErrorInfo {
  const info: RunErrorInfo = { code: error.code, message: error.message };
  if (location?.line !== undefined) info.line = location.line;
  if (location?.file !== undefined) info.file = location.file;
  return info;
}
