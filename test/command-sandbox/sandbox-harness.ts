/**
 * Sandboxed commands need Linux user namespaces with overlay mounts. Where the
 * host has none the sandbox tests are skipped with the reason, except in CI,
 * where they must run (and fail, saying why, if the sandbox is missing).
 */
import { probeSandbox, type SandboxAvailability } from "../../src/command-sandbox/index.js";

export const availability: SandboxAvailability = await probeSandbox();

/** True when sandbox tests should be skipped (never in CI). */
export const skipSandbox = !availability.available && process.env.CI !== "true";

if (skipSandbox && !availability.available) {
  console.warn(`sandbox tests skipped: ${availability.reason}`);
}
