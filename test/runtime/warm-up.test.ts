import { afterEach, describe, expect, it } from "vitest";
import { warmUpScripts } from "../../src/runtime/warm-up.js";
import { DEFAULT_IDLE_THREADS, idleSandboxThreadLimit, keepIdleSandboxThreads } from "../../src/runtime/sandbox/sandbox-threads.js";

afterEach(() => keepIdleSandboxThreads(DEFAULT_IDLE_THREADS / 2));

describe("warmUpScripts", () => {
  it("runs its script to the end in a real sandbox, agents and all", async () => {
    expect(await warmUpScripts()).toBe(true);
    expect(idleSandboxThreadLimit()).toBe(DEFAULT_IDLE_THREADS);
  });

  it("keeps sandbox threads for as many runs as the process takes at once", async () => {
    expect(await warmUpScripts({ runsAtOnce: 6 })).toBe(true);
    expect(idleSandboxThreadLimit()).toBe(12);
  });
});
