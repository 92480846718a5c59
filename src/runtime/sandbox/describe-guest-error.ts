/**
 * Turns a value the guest threw into the `RunErrorInfo` the host reports:
 * a code (the error's own, a limit's, or `script_error`), a message, and the
 * 1-based line in the script file the error came from.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten";
import type { RunErrorInfo, SandboxLimits } from "../types.js";
import { SandboxErrorCode, SandboxLimitError, toRunErrorInfo } from "./errors.js";
import { messageOf } from "../../errors.js";

/** What the host could read of a thrown guest value. */
export interface GuestErrorFacts {
  name?: string;
  message: string;
  code?: string;
  stack?: string;
}

/** A script location: file name as given to the engine, 1-based line. */
export interface StackLocation {
  file: string;
  line: number;
}

/**
 * Reads a thrown guest value with property reads only (no guest function is
 * called by the host here), so it works even when the guest is out of memory.
 */
export function readGuestError(context: QuickJSContext, thrown: QuickJSHandle): GuestErrorFacts {
  const type = context.typeof(thrown);
  if (type === "object") {
    const facts: GuestErrorFacts = { message: readString(context, thrown, "message") ?? "a value that is not an Error was thrown" };
    const name = readString(context, thrown, "name");
    const code = readString(context, thrown, "code");
    const stack = readString(context, thrown, "stack");
    if (name !== undefined) facts.name = name;
    if (code !== undefined && code !== "") facts.code = code;
    if (stack !== undefined) facts.stack = stack;
    return facts;
  }
  if (type === "string") return { message: context.getString(thrown) };
  if (type === "number") return { message: String(context.getNumber(thrown)) };
  return { message: `a ${type} value was thrown` };
}

function readString(context: QuickJSContext, object: QuickJSHandle, key: string): string | undefined {
  try {
    const value = context.getProp(object, key);
    try {
      return context.typeof(value) === "string" ? context.getString(value) : undefined;
    } finally {
      value.dispose();
    }
  } catch {
    // A throwing getter or `null`: the property is simply unknown.
    return undefined;
  }
}

/**
 * Classifies guest error facts. The engine signals its own limits with
 * `InternalError`s whose messages are the only marker it offers, so they are
 * matched here and nowhere else.
 */
export function classifyGuestError(
  facts: GuestErrorFacts,
  limits: SandboxLimits,
  isScriptFile: (file: string) => boolean,
): RunErrorInfo {
  const location = findScriptLocation(facts.stack, isScriptFile);
  if (facts.name === "InternalError" && facts.message === "out of memory") {
    return toRunErrorInfo(new SandboxLimitError("memoryMb", limits.memoryMb), location);
  }
  if (
    // The parsers (script, JSON.parse) report their own recursion limit as a SyntaxError.
    ((facts.name === "InternalError" || facts.name === "SyntaxError") && facts.message === "stack overflow") ||
    (facts.name === "RangeError" && facts.message === "Maximum call stack size exceeded")
  ) {
    return toRunErrorInfo(new SandboxLimitError("stackKb", limits.stackKb), location);
  }
  const info: RunErrorInfo =
    facts.code !== undefined
      ? { code: facts.code, message: facts.message }
      : {
          code: SandboxErrorCode.error,
          message: facts.name && facts.name !== "Error" ? `${facts.name}: ${facts.message}` : facts.message,
        };
  if (location) {
    info.line = location.line;
    info.file = location.file;
  }
  return info;
}

// Line and column are both matched where present, so a file name may itself contain colons.
const FRAME_PATTERNS = [/\((.+):(\d+):\d+\)$/, /\((.+):(\d+)\)$/, /^\s*at (.+):(\d+):\d+$/, /^\s*at (.+):(\d+)$/];

/**
 * The first frame of an engine stack trace (`    at f (file:12:5)` or
 * `    at file:12:5`) whose file is a script file, skipping the sandbox's own
 * guest code, so a guard's error points at the script line that touched it.
 */
export function findScriptLocation(
  stack: string | undefined,
  isScriptFile: (file: string) => boolean,
): StackLocation | undefined {
  if (!stack) return undefined;
  for (const frame of stack.split("\n")) {
    for (const pattern of FRAME_PATTERNS) {
      const match = pattern.exec(frame);
      if (match?.[1] === undefined || match[2] === undefined) continue;
      if (isScriptFile(match[1])) return { file: match[1], line: Number(match[2]) };
      break;
    }
  }
  return undefined;
}

/**
 * Classifies a failure of the engine itself (an exception out of the
 * WebAssembly module rather than a guest error), which ends the run.
 */
export function classifyEngineFailure(error: unknown, cpuExceeded: boolean, memoryFull: boolean, limits: SandboxLimits): RunErrorInfo {
  if (cpuExceeded) return toRunErrorInfo(new SandboxLimitError("cpuMs", limits.cpuMs));
  // Deep recursion through native code can exhaust the thread's stack before the engine's own check.
  if (error instanceof RangeError) return toRunErrorInfo(new SandboxLimitError("stackKb", limits.stackKb));
  if (memoryFull) return toRunErrorInfo(new SandboxLimitError("memoryMb", limits.memoryMb));
  const message = messageOf(error);
  return { code: SandboxErrorCode.crashed, message: `the script engine failed: ${message}` };
}
