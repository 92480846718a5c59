import type { SandboxLimits } from "../types.js";
import { InvalidSandboxLimitError } from "./errors.js";

/**
 * Supported range of each limit. `stackKb` stays below the engine's fixed
 * 5 MB shadow stack; `memoryMb` (plus the engine's own few MB) below the
 * 2 GB a 32-bit WebAssembly memory can address.
 */
export const SANDBOX_LIMIT_RANGES: Readonly<Record<keyof SandboxLimits, { min: number; max: number }>> = Object.freeze({
  cpuMs: { min: 1, max: 24 * 60 * 60 * 1000 },
  memoryMb: { min: 8, max: 2000 },
  stackKb: { min: 16, max: 4096 },
  maxValueBytes: { min: 1, max: 256 * 1024 * 1024 },
});

/** Returns a copy of `limits` after checking each is in range; throws `InvalidSandboxLimitError`. */
export function validateSandboxLimits(limits: SandboxLimits): SandboxLimits {
  for (const key of Object.keys(SANDBOX_LIMIT_RANGES) as (keyof SandboxLimits)[]) {
    const { min, max } = SANDBOX_LIMIT_RANGES[key];
    const value: unknown = limits[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidSandboxLimitError(key, value, min, max);
    }
  }
  return { cpuMs: limits.cpuMs, memoryMb: limits.memoryMb, stackKb: limits.stackKb, maxValueBytes: limits.maxValueBytes };
}
