import { describe, expect, it } from "vitest";
import { InvalidSandboxLimitError, ValueTooLargeError } from "../../../src/runtime/sandbox/errors.js";
import { ScriptedHost, TEST_PRELUDE, errorOf, expectHealthy, runScript, startTestSandbox } from "./sandbox-harness.js";

describe("sandbox limits: CPU time", () => {
  it("stops an infinite loop with script_timeout naming the limit and how to raise it", async () => {
    const error = errorOf(await runScript(`while (true) {}`, { limits: { cpuMs: 150 } }));
    expect(error.code).toBe("script_timeout");
    expect(error.message).toContain("150 ms");
    expect(error.message).toContain("limits.cpuMs");
    await expectHealthy();
  });

  it("cannot be caught by the script", async () => {
    const error = errorOf(await runScript(`for (;;) { try { while (true) {} } catch (e) {} }`, { limits: { cpuMs: 150 } }));
    expect(error.code).toBe("script_timeout");
  });

  it("stops a loop that starts after awaiting the host", async () => {
    const error = errorOf(await runScript(`(async () => { await hostEcho(1); for (;;) {} })()`, { limits: { cpuMs: 150 } }));
    expect(error.code).toBe("script_timeout");
  });

  it("does not count time spent waiting for the host", async () => {
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host, limits: { cpuMs: 300 } });
    try {
      const run = sandbox.run({ prelude: TEST_PRELUDE, main: `(async () => (await hostCall("slow")) + 1)()`, filename: "s.js" });
      const [call] = await host.waitForCalls(1);
      // Several CPU budgets of wall-clock time pass while the guest waits.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      call?.answer.resolve(1);
      expect(await run).toEqual({ ok: true, value: 2 });
    } finally {
      await sandbox.terminate();
    }
  });

  it("kills a worker stuck in long native calls the interrupt handler cannot reach", async () => {
    const warnings: unknown[] = [];
    // Each indexOf scans a million elements natively; the engine checks its
    // interrupt handler only every few thousand operations, i.e. every few seconds here.
    const error = errorOf(
      await runScript(`const a = new Array(1e6).fill(1); for (;;) a.indexOf(2);`, {
        limits: { cpuMs: 100 },
        watchdogGraceMs: 100,
        log: { warn: (...args: unknown[]) => warnings.push(args) },
      }),
    );
    expect(error.code).toBe("script_timeout");
    expect(warnings).toHaveLength(1);
    await expectHealthy();
  });
});

describe("sandbox limits: memory", () => {
  it("stops string doubling with script_memory naming the limit", async () => {
    const error = errorOf(await runScript(`\nlet s = "x";\nfor (;;) { s += s; s.slice(1); }`, { limits: { memoryMb: 16 } }));
    expect(error).toMatchObject({ code: "script_memory", line: 3, file: "script.js" });
    expect(error.message).toContain("16 MB");
    expect(error.message).toContain("limits.memoryMb");
    await expectHealthy();
  });

  it("stops ArrayBuffer allocation, one huge or many", async () => {
    const huge = errorOf(await runScript(`new ArrayBuffer(1024 * 1024 * 1024)`, { limits: { memoryMb: 16 } }));
    expect(huge.code).toBe("script_memory");
    const many = errorOf(await runScript(`const keep = []; for (;;) keep.push(new Uint8Array(1 << 20));`, { limits: { memoryMb: 16 } }));
    expect(many.code).toBe("script_memory");
    await expectHealthy();
  });
});

describe("sandbox limits: stack", () => {
  it("stops deep recursion with script_stack at the recursing line", async () => {
    const error = errorOf(await runScript(`function down(n) {\n  return down(n + 1) + 1;\n}\ndown(0);`));
    expect(error).toMatchObject({ code: "script_stack", line: 2, file: "script.js" });
    expect(error.message).toContain("Maximum call stack size exceeded");
    expect(error.message).toContain("limits.stackKb");
    await expectHealthy();
  });

  it("stops recursion through native functions and deep JSON, at the largest stack too", async () => {
    const viaMap = errorOf(await runScript(`function g(n) { return [n].map(g); }\ng(0);`, { limits: { stackKb: 4096 } }));
    expect(viaMap.code).toBe("script_stack");
    const deepJson = errorOf(await runScript(`JSON.parse("[".repeat(1e5) + "]".repeat(1e5))`));
    expect(deepJson.code).toBe("script_stack");
    await expectHealthy();
  });
});

describe("sandbox limits: value size", () => {
  const limits = { maxValueBytes: 1000 };

  it("rejects a host call whose arguments are too large, before the host sees it", async () => {
    const host = new ScriptedHost();
    const error = errorOf(await runScript(`(async () => {\n  await hostCall("agent", "é".repeat(600));\n})()`, { host, limits }));
    expect(error).toMatchObject({ code: "value_too_large", line: 2, file: "script.js" });
    expect(error.message).toContain("the arguments of agent(): 1204 bytes");
    expect(error.message).toContain("limit of 1000 bytes");
    expect(host.calls).toEqual([]);
  });

  it("rejects a host result that is too large", async () => {
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host, limits });
    try {
      const run = sandbox.run({
        prelude: TEST_PRELUDE,
        main: `(async () => { try { await hostCall("agent"); } catch (e) { return [e.code, e.message]; } })()`,
        filename: "s.js",
      });
      const [call] = await host.waitForCalls(1);
      call?.answer.resolve("x".repeat(2000));
      const result = await run;
      expect(result.ok && result.value).toEqual(["value_too_large", expect.stringContaining("the result of agent(): 2002 bytes")]);
    } finally {
      await sandbox.terminate();
    }
  });

  it("fails a run whose result is too large", async () => {
    const error = errorOf(await runScript(`"x".repeat(5000)`, { limits }));
    expect(error.code).toBe("value_too_large");
    expect(error.message).toContain("the script's result: 5002 bytes");
  });

  it("refuses a notification or pushed state that is too large", async () => {
    const error = errorOf(await runScript(`hostNotify("log", "x".repeat(2000))`, { limits }));
    expect(error.code).toBe("value_too_large");
    const sandbox = await startTestSandbox({ limits });
    try {
      expect(() => sandbox.pushState({ big: "x".repeat(2000) })).toThrow(ValueTooLargeError);
    } finally {
      await sandbox.terminate();
    }
  });
});

describe("sandbox limits: validation", () => {
  it("refuses limits outside the supported range", async () => {
    await expect(startTestSandbox({ limits: { stackKb: 8192 } })).rejects.toBeInstanceOf(InvalidSandboxLimitError);
    await expect(startTestSandbox({ limits: { cpuMs: 0 } })).rejects.toMatchObject({ code: "sandbox_limit_invalid", limit: "cpuMs" });
    await expect(startTestSandbox({ limits: { memoryMb: 1.5 } })).rejects.toMatchObject({ limit: "memoryMb" });
  });
});
