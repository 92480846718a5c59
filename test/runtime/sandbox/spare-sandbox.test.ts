import { afterEach, describe, expect, it } from "vitest";
import { prestartSandbox, spareSandboxCount, stopSpareSandboxes } from "../../../src/runtime/sandbox/start-sandbox.js";
import { DEFAULT_SANDBOX_LIMITS } from "../../../src/runtime/types.js";
import { ScriptedHost, TEST_PRELUDE, startTestSandbox } from "./sandbox-harness.js";

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 20));
  }
}

afterEach(() => stopSpareSandboxes());

describe("spare sandboxes", () => {
  it("the next start with the same limits takes the spare, which runs with its own host", async () => {
    prestartSandbox(DEFAULT_SANDBOX_LIMITS);
    prestartSandbox({ ...DEFAULT_SANDBOX_LIMITS });
    expect(spareSandboxCount()).toBe(1);
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host });
    expect(spareSandboxCount()).toBe(0);
    try {
      const result = sandbox.run({ prelude: TEST_PRELUDE, main: `(async () => (await hostCall("ask", 1)) + 1)()`, filename: "a.js" });
      const [call] = await host.waitForCalls(1);
      expect(call).toMatchObject({ name: "ask", args: [1] });
      call!.answer.resolve(41);
      expect(await result).toEqual({ ok: true, value: 42 });
    } finally {
      await sandbox.terminate();
    }
    // The spare was used once; the next start is a fresh sandbox, and works.
    const fresh = await startTestSandbox();
    try {
      expect(await fresh.run({ prelude: TEST_PRELUDE, main: "globalThis.leftover === undefined", filename: "b.js" })).toEqual({ ok: true, value: true });
    } finally {
      await fresh.terminate();
    }
  });

  it("a start with other limits leaves the spare waiting", async () => {
    prestartSandbox({ ...DEFAULT_SANDBOX_LIMITS, memoryMb: DEFAULT_SANDBOX_LIMITS.memoryMb * 2 });
    const sandbox = await startTestSandbox();
    try {
      expect(spareSandboxCount()).toBe(1);
      expect(await sandbox.run({ prelude: TEST_PRELUDE, main: "1 + 1", filename: "a.js" })).toEqual({ ok: true, value: 2 });
    } finally {
      await sandbox.terminate();
    }
    await stopSpareSandboxes();
    expect(spareSandboxCount()).toBe(0);
  });

  it("a spare nobody takes stops after its time", async () => {
    prestartSandbox(DEFAULT_SANDBOX_LIMITS, 50);
    expect(spareSandboxCount()).toBe(1);
    await until(() => spareSandboxCount() === 0, "the spare to expire");
    await expect(startTestSandbox().then((s) => s.terminate())).resolves.toBeUndefined();
  });

  it("a spare whose limits are invalid is not started, and the start reports them", async () => {
    prestartSandbox({ ...DEFAULT_SANDBOX_LIMITS, memoryMb: -1 });
    expect(spareSandboxCount()).toBe(0);
  });
});
