import { describe, expect, it } from "vitest";
import { DynflowError } from "../../../src/errors.js";
import { SandboxReusedError } from "../../../src/runtime/sandbox/errors.js";
import type { JsonValue } from "../../../src/runtime/types.js";
import { ScriptedHost, TEST_PRELUDE, errorOf, expectHealthy, runScript, startTestSandbox } from "./sandbox-harness.js";

class BudgetError extends DynflowError {
  constructor() {
    super("budget_exhausted", "the run's token budget of 100 tokens is spent");
  }
}

describe("startSandbox: running a program", () => {
  it("settles with the JSON value the program's promise resolves to", async () => {
    const result = await runScript(`(async () => {
      const a = await hostEcho({ list: [1, "two", null, true] });
      return { a, sum: a.list.length + 1 };
    })()`);
    expect(result).toEqual({ ok: true, value: { a: { list: [1, "two", null, true] }, sum: 5 } });
  });

  it("settles with undefined when the script returns nothing", async () => {
    const result = await runScript(`(async () => { await hostEcho(1); })()`);
    expect(result).toEqual({ ok: true, value: undefined });
  });

  it("accepts a plain completion value as the result", async () => {
    expect(await runScript(`[1, 2].map((n) => n * 3)`)).toEqual({ ok: true, value: [3, 6] });
  });

  it("reports an uncaught error with script_error, its message and the 1-based line", async () => {
    const error = errorOf(await runScript(`(async () => {\n  await hostEcho(1);\n\n  null.x;\n})()`, { filename: "plan.js" }));
    expect(error.code).toBe("script_error");
    expect(error.message).toMatch(/^TypeError: .*null/);
    expect(error).toMatchObject({ line: 4, file: "plan.js" });
  });

  it("keeps the code of an error the script throws with one", async () => {
    const error = errorOf(await runScript(`\nconst e = new Error("no modules found"); e.code = "no_modules"; throw e;`));
    expect(error).toEqual({ code: "no_modules", message: "no modules found", line: 2, file: "script.js" });
  });

  it("reports a syntax error at its line", async () => {
    const error = errorOf(await runScript(`const a = 1;\nconst b = ;`));
    expect(error.code).toBe("script_error");
    expect(error.message).toMatch(/^SyntaxError/);
    expect(error.line).toBe(2);
  });

  it("reports a script that waits on a promise nothing can settle", async () => {
    const error = errorOf(await runScript(`(async () => { await hostEcho(1); await new Promise(() => {}); })()`));
    expect(error.code).toBe("script_stalled");
  });

  it("refuses a second run", async () => {
    const sandbox = await startTestSandbox();
    try {
      const first = sandbox.run({ prelude: TEST_PRELUDE, main: "1", filename: "a.js" });
      await expect(sandbox.run({ prelude: TEST_PRELUDE, main: "2", filename: "b.js" })).rejects.toBeInstanceOf(SandboxReusedError);
      expect(await first).toEqual({ ok: true, value: 1 });
      await expect(sandbox.run({ prelude: TEST_PRELUDE, main: "3", filename: "c.js" })).rejects.toBeInstanceOf(SandboxReusedError);
    } finally {
      await sandbox.terminate();
    }
  });
});

describe("startSandbox: host calls", () => {
  it("runs concurrent host calls at the same time, each settling its own promise", async () => {
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host });
    try {
      const run = sandbox.run({
        prelude: TEST_PRELUDE,
        main: `(async () => Promise.all([hostCall("work", "a"), hostCall("work", "b")]))()`,
        filename: "script.js",
      });
      // Both calls reach the host before either is answered: they are in flight together.
      const [a, b] = await host.waitForCalls(2);
      expect([a?.args, b?.args]).toEqual([["a"], ["b"]]);
      b?.answer.resolve("B");
      a?.answer.resolve("A");
      expect(await run).toEqual({ ok: true, value: ["A", "B"] });
    } finally {
      await sandbox.terminate();
    }
  });

  it("copies values both ways as JSON: neither side sees the other's later changes", async () => {
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host });
    try {
      const run = sandbox.run({
        prelude: TEST_PRELUDE,
        main: `(async () => {
          const sent = { n: 1, skip: () => 1, when: new Date(0) };
          const pending = hostCall("keep", sent);
          sent.n = 2;
          const got = await pending;
          got.list.push("guest");
          await hostCall("wait");
          return { sent, got };
        })()`,
        filename: "script.js",
      });
      const [keep] = await host.waitForCalls(1);
      expect(keep?.args).toEqual([{ n: 1, when: "1970-01-01T00:00:00.000Z" }]);
      expect(Object.getPrototypeOf(keep?.args[0])).toBe(Object.prototype);
      const shared: { list: JsonValue[] } = { list: ["host"] };
      keep?.answer.resolve(shared);
      // Once the guest holds its copy, the host changes the original.
      const [, wait] = await host.waitForCalls(2);
      shared.list.push("host later");
      wait?.answer.resolve(null);
      expect(await run).toEqual({
        ok: true,
        value: { sent: { n: 2, when: "1970-01-01T00:00:00.000Z" }, got: { list: ["host", "guest"] } },
      });
      expect(shared).toEqual({ list: ["host", "host later"] });
    } finally {
      await sandbox.terminate();
    }
  });

  it("gives the guest a host DynflowError's name, code and message, and keeps them and the call's line when uncaught", async () => {
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host });
    try {
      const run = sandbox.run({
        prelude: TEST_PRELUDE,
        main: `(async () => {
          let seen;
          try { await hostCall("agent", 1); } catch (e) { seen = [e instanceof Error, e.name, e.code, e.message]; }
          hostNotify("seen", seen);
          await hostCall("agent", 2);
        })()`,
        filename: "script.js",
      });
      const [first] = await host.waitForCalls(1);
      first?.answer.reject(new BudgetError());
      const [, second] = await host.waitForCalls(2);
      second?.answer.reject(new BudgetError());
      expect(errorOf(await run)).toEqual({
        code: "budget_exhausted",
        message: "the run's token budget of 100 tokens is spent",
        line: 5,
        file: "script.js",
      });
      const seen = [true, "BudgetError", "budget_exhausted", "the run's token budget of 100 tokens is spent"];
      expect(host.notes).toEqual([{ name: "seen", args: [seen] }]);
    } finally {
      await sandbox.terminate();
    }
  });

  it("passes a host's undefined result as undefined", async () => {
    const host = new ScriptedHost();
    host.call = async () => undefined;
    expect(await runScript(`(async () => typeof (await hostCall("nothing")))()`, { host })).toEqual({ ok: true, value: "undefined" });
  });

  it("codes other host failures host_error", async () => {
    const host = new ScriptedHost();
    host.call = async () => {
      throw new TypeError("boom");
    };
    const error = errorOf(await runScript(`(async () => { await hostCall("x"); })()`, { host }));
    expect(error).toEqual({ code: "host_error", message: "boom", line: 1, file: "script.js" });
  });

  it("delivers notifications in order with their JSON arguments", async () => {
    const host = new ScriptedHost();
    const result = await runScript(`hostNotify("phase", "Scan"); hostNotify("log", { text: "x", n: [1] }); 7`, { host });
    expect(result).toEqual({ ok: true, value: 7 });
    expect(host.notes).toEqual([
      { name: "phase", args: ["Scan"] },
      { name: "log", args: [{ text: "x", n: [1] }] },
    ]);
  });

  it("survives a notify handler that throws", async () => {
    const host = new ScriptedHost();
    host.notify = () => {
      throw new Error("handler bug");
    };
    const warnings: unknown[] = [];
    const result = await runScript(`hostNotify("log", "x"); 1`, { host, log: { warn: (...args: unknown[]) => warnings.push(args) } });
    expect(result).toEqual({ ok: true, value: 1 });
    expect(warnings).toHaveLength(1);
  });
});

describe("startSandbox: state", () => {
  it("returns the latest pushed state synchronously, as a fresh copy each time", async () => {
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host });
    try {
      const before = hostStateScript();
      const run = sandbox.run({ prelude: TEST_PRELUDE, main: before, filename: "script.js" });
      const [first] = await host.waitForCalls(1);
      sandbox.pushState({ budget: { spent: 1 } });
      first?.answer.resolve(null);
      const [, second] = await host.waitForCalls(2);
      sandbox.pushState({ budget: { spent: 2 } });
      second?.answer.resolve(null);
      expect(await run).toEqual({
        ok: true,
        value: [null, { budget: { spent: 1 } }, { budget: { spent: 1 } }, { budget: { spent: 2 } }],
      });
    } finally {
      await sandbox.terminate();
    }
  });
});

function hostStateScript(): string {
  return `(async () => {
    const seen = [hostState() === undefined ? null : "defined"];
    await hostCall("wait");
    const first = hostState();
    seen.push(JSON.parse(JSON.stringify(first)));
    first.budget.spent = 999;
    seen.push(hostState());
    await hostCall("wait");
    seen.push(hostState());
    return seen;
  })()`;
}

describe("startSandbox: compile", () => {
  it("evaluates code in the same context and returns its completion value", async () => {
    const result = await runScript(`globalThis.base = 40; hostCompile("base + 2", "nested.js")`);
    expect(result).toEqual({ ok: true, value: 42 });
  });

  it("reports errors in compiled code at the line of the compiled file", async () => {
    const nested = JSON.stringify(`// nested workflow\nconst x = 1;\nthrow new RangeError("bad nested input");`);
    const error = errorOf(await runScript(`(async () => {\n  await hostEcho(1);\n  hostCompile(${nested}, "workflows/nested.js");\n})()`));
    expect(error).toEqual({ code: "script_error", message: "RangeError: bad nested input", line: 3, file: "workflows/nested.js" });
  });

  it("lets the caller catch errors of compiled code", async () => {
    const result = await runScript(`let m; try { hostCompile("(", "broken.js"); } catch (e) { m = e.name; } m`);
    expect(result).toEqual({ ok: true, value: "SyntaxError" });
  });
});

describe("startSandbox: terminate", () => {
  it("resolves a pending run with sandbox_terminated while a host call is in flight", async () => {
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host });
    const run = sandbox.run({ prelude: TEST_PRELUDE, main: `(async () => hostCall("agent", "slow"))()`, filename: "script.js" });
    const [call] = await host.waitForCalls(1);
    await sandbox.terminate();
    expect(errorOf(await run).code).toBe("sandbox_terminated");
    // The host answering afterwards goes nowhere and harms nothing.
    call?.answer.resolve("late");
    await sandbox.terminate();
    await expectHealthy();
  });

  it("stops a script in the middle of a CPU burst", async () => {
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host, limits: { cpuMs: 60_000 } });
    const run = sandbox.run({ prelude: TEST_PRELUDE, main: `(async () => { await hostCall("go"); for (;;) {} })()`, filename: "s.js" });
    const [call] = await host.waitForCalls(1);
    call?.answer.resolve(null);
    // Give the guest time to enter its loop; terminate must still return.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sandbox.terminate();
    expect(errorOf(await run).code).toBe("sandbox_terminated");
  });

  it("makes a run after terminate resolve as terminated", async () => {
    const sandbox = await startTestSandbox();
    await sandbox.terminate();
    expect(errorOf(await sandbox.run({ prelude: TEST_PRELUDE, main: "1", filename: "a.js" })).code).toBe("sandbox_terminated");
  });
});
