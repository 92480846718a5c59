import { describe, expect, it } from "vitest";
import { runScript, type RunScriptOptions } from "../../src/runtime/run-script.js";
import { MemoryJournal } from "../../src/runtime/journal/memory-journal.js";
import type { RunEvent } from "../../src/runtime/types.js";
import { ControlledRunner, answeringRunner, usage } from "../fakes/controlled-runner.js";

const meta = `export const meta = { name: "t", description: "test" }\n`;

function run(source: string, options: Partial<RunScriptOptions> = {}) {
  return runScript({
    runId: "r1",
    source,
    baseRevision: "base-1",
    runner: answeringRunner(() => "ok"),
    ...options,
  });
}

describe("runScript", () => {
  it("runs the Claude Code docs' example script unchanged", async () => {
    const source = `export const meta = {
  name: 'audit-routes',
  description: 'Audit every route handler for missing auth checks',
}

const found = await agent('List every .ts file under src/routes/.', {
  schema: { type: 'object', required: ['files'], properties: { files: { type: 'array', items: { type: 'string' } } } },
})

const audits = await pipeline(found.files, file =>
  agent(\`Audit \${file} for missing authentication checks.\`, { label: file }),
)

return audits.filter(Boolean)
`;
    const runner = answeringRunner((request) => {
      if (request.prompt.startsWith("List")) return { files: ["src/routes/a.ts", "src/routes/b.ts", "src/routes/c.ts"] };
      if (request.prompt.includes("b.ts")) throw new Error("model error");
      return `no issue in ${request.prompt.split(" ")[1]}`;
    });
    const outcome = await run(source, { runner });
    expect(outcome.status).toBe("ok");
    expect(outcome.meta?.name).toBe("audit-routes");
    expect(outcome.result).toEqual(["no issue in src/routes/a.ts", "no issue in src/routes/c.ts"]);
    expect(outcome.stats).toMatchObject({ total: 4, failed: 1, cached: 0 });
    expect(outcome.agents.map((a) => a.label)).toEqual([
      "List every .ts file under src/routes/.",
      "src/routes/a.ts",
      "src/routes/b.ts",
      "src/routes/c.ts",
    ]);
  });

  it("passes args through and returns the script's value", async () => {
    const outcome = await run(`${meta}return { got: args, type: typeof args }`, { args: { dir: "src", n: [1, 2] } });
    expect(outcome.result).toEqual({ got: { dir: "src", n: [1, 2] }, type: "object" });
    const none = await run(`${meta}return typeof args`);
    expect(none.result).toBe("undefined");
  });

  it("rejects an invalid script before running, naming the line", async () => {
    const runner = answeringRunner(() => "ok");
    const outcome = await run(`${meta}await agent("x")\nconst fs = require("fs")\n`, { runner });
    expect(outcome.status).toBe("error");
    expect(outcome.error?.line).toBe(3);
    expect(runner.calls).toHaveLength(0);
  });

  it("reports an uncaught script error with its line", async () => {
    const outcome = await run(`${meta}const x = 1\nthrow new Error("boom at three")\n`);
    expect(outcome).toMatchObject({ status: "error", error: { line: 3 } });
    expect(outcome.error?.message).toContain("boom at three");
  });

  it("queues agents beyond the concurrency cap and starts them in call order", async () => {
    const runner = new ControlledRunner();
    const done = run(`${meta}return await parallel([1,2,3,4,5].map(i => () => agent("task " + i)))`, {
      runner,
      limits: { maxConcurrency: 2 },
    });
    await runner.untilStarted(2);
    expect(runner.waiting()).toEqual(["task 1", "task 2"]);
    runner.succeed("task 2");
    await runner.untilStarted(3);
    expect(runner.waiting()).toEqual(["task 1", "task 3"]);
    runner.succeed("task 1");
    runner.succeed("task 3");
    await runner.untilStarted(5);
    runner.succeed("task 4");
    runner.succeed("task 5");
    const outcome = await done;
    expect(runner.started.map((r) => r.prompt)).toEqual(["task 1", "task 2", "task 3", "task 4", "task 5"]);
    expect(runner.maxRunning).toBe(2);
    expect(outcome.stats.maxConcurrent).toBe(2);
    expect(outcome.result).toEqual(["done: task 1", "done: task 2", "done: task 3", "done: task 4", "done: task 5"]);
  });

  it("stops at the agent cap with status capped, keeping finished work", async () => {
    const runner = answeringRunner((r) => r.prompt.toUpperCase());
    const outcome = await run(`${meta}const out = []\nfor (let i = 0; i < 10; i++) out.push(await agent("item " + i))\nreturn out`, {
      runner,
      limits: { maxAgents: 3 },
    });
    expect(outcome.status).toBe("capped");
    expect(outcome.error?.code).toBe("cap_exceeded");
    expect(outcome.error?.message).toContain("3 agents");
    expect(runner.calls).toHaveLength(3);
    expect(outcome.agents.map((a) => [a.status, a.output])).toEqual([
      ["finished", "ITEM 0"],
      ["finished", "ITEM 1"],
      ["finished", "ITEM 2"],
    ]);
  });

  it("rejects a parallel() or pipeline() call over the item cap, naming the limit", async () => {
    const outcome = await run(`${meta}await parallel(Array.from({ length: 11 }, () => () => agent("x")))`, {
      limits: { maxItems: 10 },
    });
    expect(outcome.status).toBe("error");
    expect(outcome.error?.code).toBe("items_cap_exceeded");
    expect(outcome.error?.message).toContain("limit is 10");
    const pipe = await run(`${meta}await pipeline(Array.from({ length: 4097 }, (_, i) => i), (i) => agent("x" + i))`);
    expect(pipe.error?.message).toContain("4096");
    expect(pipe.stats.total).toBe(0);
  });

  it("stops starting agents once the token budget is spent; in-flight ones finish", async () => {
    const runner = new ControlledRunner();
    const done = run(`${meta}
const first = await parallel([() => agent("a1"), () => agent("a2")])
const second = await agent("b1")
return [first, second]`, { runner, limits: { maxConcurrency: 2, budgetTokens: 150 } });
    await runner.untilStarted(2);
    runner.succeed("a1", "r1", usage(100, 10));
    runner.succeed("a2", "r2", usage(100, 10));
    const outcome = await done;
    expect(outcome.status).toBe("budget-exhausted");
    expect(outcome.error?.code).toBe("budget_exhausted");
    expect(runner.started.map((r) => r.prompt)).toEqual(["a1", "a2"]);
    expect(outcome.agents.filter((a) => a.status === "finished").map((a) => a.output)).toEqual(["r1", "r2"]);
    expect(outcome.usage).toEqual({ input: 200, output: 20, cacheWrite: 0, cacheRead: 0 });
  });

  it("exposes the budget to the script", async () => {
    const outcome = await run(`${meta}
const before = [budget.total, budget.spent(), budget.remaining()]
await agent("one")
return { before, after: [budget.spent(), budget.remaining()], usd: budget.usd.spent() }`, {
      runner: answeringRunner(() => "x", usage(300, 50)),
      limits: { budgetTokens: 10_000 },
    });
    expect(outcome.result).toEqual({ before: [10_000, 0, 10_000], after: [350, 9_650], usd: 0.01 });
  });

  it("stops at the dollar budget", async () => {
    const runner = answeringRunner(() => "x");
    const outcome = await run(`${meta}for (let i = 0; i < 10; i++) await agent("n" + i)`, { runner, limits: { budgetUsd: 0.025 } });
    expect(outcome.status).toBe("budget-exhausted");
    expect(runner.calls).toHaveLength(3);
  });

  it("retries output that fails the schema with the error fed back, then succeeds", async () => {
    const runner = answeringRunner((r) => (r.attempt < 3 ? { count: "three" } : { count: 3 }));
    const outcome = await run(
      `${meta}return await agent("count", { schema: { type: "object", required: ["count"], properties: { count: { type: "integer" } } } })`,
      { runner },
    );
    expect(outcome.result).toEqual({ count: 3 });
    expect(runner.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(runner.calls[1]?.feedback).toMatch(/count/);
    expect(outcome.agents[0]?.attempts).toBe(3);
    expect(outcome.usage.input).toBe(300);
  });

  it("fails the call with the last validation error after the attempts run out", async () => {
    const runner = answeringRunner(() => ({ wrong: true }));
    const outcome = await run(`${meta}return await agent("x", { schema: { type: "object", required: ["ok"] } })`, {
      runner,
      limits: { maxSchemaAttempts: 2 },
    });
    expect(outcome.status).toBe("ok");
    expect(outcome.result).toBeNull();
    expect(runner.calls).toHaveLength(2);
    expect(outcome.agents[0]?.error).toMatch(/after 2 attempts.*ok/);
  });

  it("fails a self-contradicting schema before any agent starts", async () => {
    const runner = answeringRunner(() => ({}));
    const outcome = await run(
      `${meta}\nawait agent("x", { schema: { type: "object", required: ["a"], additionalProperties: false, properties: { b: { type: "string" } } } })`,
      { runner },
    );
    expect(outcome.status).toBe("error");
    expect(outcome.error?.message).toMatch(/"a".*additionalProperties/);
    expect(outcome.error?.line).toBe(3);
    expect(runner.calls).toHaveLength(0);
  });

  it("runs pipeline stages per item with no barrier between stages", async () => {
    const runner = new ControlledRunner();
    const done = run(`${meta}return await pipeline(["A", "B"], (x) => agent("s1 " + x), (prev, item) => agent("s2 " + item))`, { runner });
    await runner.untilStarted(2);
    runner.succeed("s1 A");
    // A moves on to stage 2 while B is still in stage 1.
    await runner.untilWaiting("s2 A");
    expect(runner.waiting().sort()).toEqual(["s1 B", "s2 A"]);
    runner.succeed("s2 A");
    runner.succeed("s1 B");
    await runner.untilWaiting("s2 B");
    runner.succeed("s2 B");
    expect((await done).result).toEqual(["done: s2 A", "done: s2 B"]);
  });

  it("parallel() is a barrier that keeps nulls; a throwing thunk becomes null", async () => {
    const runner = answeringRunner((r) => {
      if (r.prompt === "bad") throw new Error("nope");
      return r.prompt;
    });
    const outcome = await run(`${meta}return await parallel([() => agent("a"), () => agent("bad"), () => { throw new Error("x") }])`, { runner });
    expect(outcome.result).toEqual(["a", null, null]);
  });

  it("replays from the journal in any order: a mid-fan-out failure does not rerun finished siblings", async () => {
    const journal = new MemoryJournal();
    const script = `${meta}return await parallel(["A","B","C","D"].map(x => () => agent("work " + x)))`;
    const first = answeringRunner((r) => {
      if (r.prompt === "work B") throw new Error("rate limited");
      return r.prompt.toLowerCase();
    });
    const one = await run(script, { runner: first, journal });
    expect(one.result).toEqual(["work a", null, "work c", "work d"]);

    const second = answeringRunner((r) => r.prompt.toLowerCase());
    const two = await run(script, { runner: second, journal });
    expect(second.calls.map((c) => c.prompt)).toEqual(["work B"]);
    expect(two.result).toEqual(["work a", "work b", "work c", "work d"]);
    expect(two.stats.cached).toBe(3);
    expect(two.freshUsage.input).toBe(100);
    expect(two.usage.input).toBe(400);
  });

  it("journals identical calls separately by occurrence", async () => {
    const journal = new MemoryJournal();
    let n = 0;
    const script = `${meta}return [await agent("same"), await agent("same")]`;
    const one = await run(script, { runner: answeringRunner(() => `answer ${++n}`), journal });
    expect(one.result).toEqual(["answer 1", "answer 2"]);
    const runner = answeringRunner(() => "fresh");
    const two = await run(script, { runner, journal });
    expect(two.result).toEqual(["answer 1", "answer 2"]);
    expect(runner.calls).toHaveLength(0);
  });

  it("does not reuse journal entries across base revisions", async () => {
    const journal = new MemoryJournal();
    const script = `${meta}return await agent("x")`;
    await run(script, { journal });
    const runner = answeringRunner(() => "new");
    const outcome = await run(script, { runner, journal, baseRevision: "base-2" });
    expect(outcome.result).toBe("new");
  });

  it("emits typed events for phases, agents, logs and budget", async () => {
    const events: RunEvent[] = [];
    const runner = answeringRunner((r) => {
      if (r.prompt === "b") throw new Error("x");
      return "ok";
    });
    await run(`${meta}phase("Find")\nlog("looking")\nawait agent("a")\nphase("Fix")\nawait agent("b", { label: "fix b" })`, {
      runner,
      onEvent: (e) => events.push(e),
    });
    expect(events.map((e) => e.type)).toEqual([
      "run.started",
      "phase",
      "log",
      "agent.queued",
      "agent.started",
      "budget",
      "agent.finished",
      "phase",
      "agent.queued",
      "agent.started",
      "agent.failed",
      "run.finished",
    ]);
    expect(events.find((e) => e.type === "agent.queued" && e.label === "fix b")).toMatchObject({ phase: "Fix" });
  });

  it("counts agents per phase, listing meta phases first", async () => {
    const outcome = await run(
      `export const meta = { name: "t", description: "d", phases: [{ title: "Plan" }, { title: "Do" }] }
phase("Do")
await parallel([() => agent("1"), () => agent("2")])
phase("Extra")
await agent("3")
await agent("4", { phase: "Plan" })`,
    );
    expect(outcome.phases).toEqual([
      { title: "Plan", agents: 1 },
      { title: "Do", agents: 2 },
      { title: "Extra", agents: 1 },
    ]);
  });

  it("warns on unknown agent() options and keeps going", async () => {
    const runner = answeringRunner(() => "ok");
    const outcome = await run(`${meta}return await agent("x", { label: "l", temperature: 0.3, model: "m" })`, { runner });
    expect(outcome.result).toBe("ok");
    expect(outcome.warnings).toEqual([expect.stringContaining('"temperature"')]);
    expect(runner.calls[0]?.options).toEqual({ label: "l", model: "m" });
  });

  it("rejects bad agent() arguments with a clear error", async () => {
    const outcome = await run(`${meta}\nawait agent(42)`);
    expect(outcome.status).toBe("error");
    expect(outcome.error?.message).toMatch(/prompt must be a string/);
  });

  it("runs a nested workflow one level deep and refuses a second level", async () => {
    const child = `export const meta = { name: "child", description: "c" }\nreturn (await agent("child " + args.x)) + "!"`;
    const grandchild = `export const meta = { name: "deep", description: "d" }\nreturn await workflow("child", { x: 1 })`;
    const sources: Record<string, string> = { child, deep: grandchild };
    const resolveWorkflow = async (ref: string | { scriptPath: string }) => {
      const name = typeof ref === "string" ? ref : ref.scriptPath;
      const source = sources[name];
      if (!source) throw new Error(`no workflow named ${name}`);
      return { source, filename: `${name}.js` };
    };
    const ok = await run(`${meta}return await workflow("child", { x: 7 })`, { resolveWorkflow, runner: answeringRunner((r) => r.prompt) });
    expect(ok.result).toBe("child 7!");
    const deep = await run(`${meta}return await workflow("deep")`, { resolveWorkflow });
    expect(deep.status).toBe("error");
    expect(deep.error?.code).toBe("workflow_nesting");
  });

  it("reports a nested workflow's error at its own file and line", async () => {
    const resolveWorkflow = async () => ({ source: `${meta}\n\nthrow new Error("inner")`, filename: "inner.js" });
    const outcome = await run(`${meta}await workflow("inner")`, { resolveWorkflow });
    expect(outcome.error).toMatchObject({ line: 4, file: "inner.js" });
  });

  it("cancels: in-flight agents see the abort, queued ones never start, finished work is kept", async () => {
    const runner = new ControlledRunner();
    const controller = new AbortController();
    const done = run(`${meta}return await parallel([1,2,3,4].map(i => () => agent("t" + i)))`, {
      runner,
      signal: controller.signal,
      limits: { maxConcurrency: 2 },
    });
    await runner.untilStarted(2);
    runner.succeed("t1");
    await runner.untilStarted(3);
    controller.abort(new Error("user asked"));
    expect(runner.started.every((r) => r.signal.aborted)).toBe(true);
    runner.fail("t2", new Error("aborted"));
    runner.fail("t3", new Error("aborted"));
    const outcome = await done;
    expect(outcome.status).toBe("cancelled");
    expect(outcome.error?.message).toContain("user asked");
    expect(runner.started.map((r) => r.prompt)).toEqual(["t1", "t2", "t3"]);
    expect(outcome.agents.find((a) => a.label === "t1")?.status).toBe("finished");
  });

  it("counts spend reported by a failing agent", async () => {
    const { AgentFailedError } = await import("../../src/runtime/errors.js");
    const runner = {
      run: async () => {
        throw new AgentFailedError("max turns", usage(500, 50), 0.2);
      },
    };
    const outcome = await run(`${meta}return await agent("x")`, { runner });
    expect(outcome.result).toBeNull();
    expect(outcome.usage.input).toBe(500);
    expect(outcome.costUsd).toBeCloseTo(0.2);
  });
});
