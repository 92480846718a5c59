/**
 * Attack class: one run exhausting the host for everyone. The sandbox caps
 * the script's own CPU and memory; what the host does on its behalf (phase
 * titles, logs, queued prompts, nested workflow loads and depth, repository
 * scans, schema compiles, result deliveries, agent turns) is bounded per run
 * here, each with an error that names the budget. Budgets are set small so
 * the hostile inputs stay small; the assertions count work done.
 */
import { describe, expect, it } from "vitest";
import { maxTurnsOf, type AgentEnv } from "../../src/agents/agent-env.js";
import { createReviewExtension } from "../../src/review/create-review-extension.js";
import { runScript, type RunScriptOptions } from "../../src/runtime/run-script.js";
import type { AgentRequest } from "../../src/runtime/types.js";
import type { WorkspaceReader } from "../../src/workspace/types.js";
import { answeringRunner } from "../fakes/controlled-runner.js";
import { ScriptedHost, startTestSandbox, TEST_PRELUDE } from "../runtime/sandbox/sandbox-harness.js";

const META = `export const meta = { name: "t", description: "t" };\n`;

function run(body: string, options: Partial<RunScriptOptions> = {}) {
  return runScript({ runId: "r1", source: `${META}${body}`, baseRevision: "base", runner: answeringRunner(() => "ok"), ...options });
}

describe("per-run host budgets", () => {
  it("phase(): distinct titles are capped, and the run stops like a cap with its work kept", async () => {
    const outcome = await run(`await agent("first");\nfor (let i = 0; i < 5000; i++) phase("step " + i);\nawait agent("after");`);
    expect(outcome.status).toBe("capped");
    expect(outcome.error).toMatchObject({ code: "host_budget_exceeded", message: expect.stringContaining("maxPhases") });
    expect(outcome.phases.length).toBeLessThanOrEqual(1000);
    expect(outcome.agents.map((a) => a.status)).toEqual(["finished"]);
  });

  it("log(): bytes kept and persisted are capped, with one warning", async () => {
    const outcome = await run(`const line = "x".repeat(1000);\nfor (let i = 0; i < 3000; i++) log(line);`);
    expect(outcome.status).toBe("ok");
    const kept = outcome.logs.reduce((sum, line) => sum + line.length, 0);
    expect(kept).toBeLessThanOrEqual(1024 * 1024 + 200);
    expect(outcome.logs.filter((line) => line.includes("maxLogBytes"))).toHaveLength(1);
  });

  it("agent(): bytes of queued prompts are capped", async () => {
    const runner = answeringRunner(() => "ok");
    const outcome = await run(`const big = "p".repeat(10000);\nawait parallel(Array.from({ length: 40 }, (_, i) => () => agent(big + i)));`, {
      runner,
      hostBudgets: { maxQueuedPromptBytes: 100_000 },
    });
    expect(runner.calls.length).toBeLessThanOrEqual(10);
    expect(outcome.logs.some((line) => line.includes("maxQueuedPromptBytes"))).toBe(true);
  });

  it("host calls in flight are bounded by bytes in the sandbox, before they reach the host", async () => {
    const runner = answeringRunner(() => "ok");
    const outcome = await run(`const big = "p".repeat(1000000);\nconst all = [];\nfor (let i = 0; i < 70; i++) all.push(agent(big + i).catch((e) => e.code));\nreturn (await Promise.all(all)).filter((r) => r === "host_budget_exceeded").length;`, {
      runner,
      hostBudgets: { maxQueuedPromptBytes: 1e9 },
      sandbox: { memoryMb: 256 },
    });
    expect(runner.calls.length).toBeLessThanOrEqual(67);
    expect(outcome.result).toBeGreaterThanOrEqual(3);
  });

  it("workflow(): loads are capped, even through a function the script leaked", async () => {
    // The run's script leaks its own workflow function; each nested script uses it to load the next.
    const inner = `${META}return globalThis.leaked ? await globalThis.leaked({ script: globalThis.source }) : 0;`;
    const outcome = await run(`globalThis.leaked = workflow;\nglobalThis.source = ${JSON.stringify(inner)};\nreturn await workflow({ script: globalThis.source });`, {
      hostBudgets: { maxWorkflowLoads: 10 },
    });
    expect(outcome.status).toBe("error");
    expect(outcome.error).toMatchObject({ code: "host_budget_exceeded", message: expect.stringContaining("maxWorkflowLoads") });
  });

  it("workflow(): nesting is counted by the host, not by a parameter", async () => {
    let loads = 0;
    const resolveWorkflow = async () => {
      loads++;
      // Reaches for the run's own workflow() through the global, and else uses its parameter.
      return { source: `${META}return await (globalThis.workflow ?? workflow)("again");`, filename: "again.js" };
    };
    const outcome = await run(`return await workflow("again");`, { resolveWorkflow });
    expect(outcome.error).toMatchObject({ code: "workflow_nesting" });
    expect(loads).toBe(1);
  });

  it("repo.files(): paths scanned are capped", async () => {
    const files = Array.from({ length: 10 }, (_, i) => `src/f${i}.ts`);
    const reader = { list: async () => files } as unknown as WorkspaceReader;
    const { extension } = createReviewExtension({ repository: { readOnly: async () => reader }, baseCommit: "base", config: { refutersPerClaim: 1, maxRounds: 1 } });
    const outcome = await run(`let n = 0;\nfor (let i = 0; i < 100; i++) { await repo.files(); n++; }\nreturn n;`, {
      extensions: [extension],
      hostBudgets: { maxRepoScanPaths: 50 },
    });
    expect(outcome.status).toBe("error");
    expect(outcome.error).toMatchObject({ code: "host_budget_exceeded", message: expect.stringContaining("maxRepoScanPaths") });
  });

  it("agent(): distinct schemas are capped, and compiled only after the agent cap", async () => {
    const outcome = await run(`const out = [];\nfor (let i = 0; i < 20; i++) { try { await agent("q" + i, { schema: { type: "string", maxLength: i + 1 } }); out.push("ok"); } catch (e) { out.push(e.code); } }\nreturn out;`, {
      hostBudgets: { maxSchemas: 5 },
    });
    expect(outcome.result).toEqual([...Array(5).fill("ok"), ...Array(15).fill("host_budget_exceeded")]);
    // At the agent cap, a schema that would fail to compile is never compiled: the cap speaks first.
    const capped = await run(`await agent("a");\ntry { await agent("b", { schema: { type: "integer", minimum: 5, maximum: 1 } }); } catch (e) { return e.code; }`, {
      limits: { maxAgents: 1 },
    });
    expect(capped.error?.code ?? capped.result).toBe("cap_exceeded");
  });

  it("a delivery batch larger than the engine ends as the memory limit, not an engine crash", async () => {
    const host = new ScriptedHost();
    const sandbox = await startTestSandbox({ host, limits: { memoryMb: 16 } });
    try {
      const running = sandbox.run({
        prelude: TEST_PRELUDE,
        main: `(async () => { const all = []; for (let i = 0; i < 30; i++) all.push(hostCall("agent")); return (await Promise.all(all)).length; })()`,
        filename: "s.js",
      });
      for (const call of await host.waitForCalls(30)) call.answer.resolve("x".repeat(900_000));
      const result = await running;
      expect(result).toMatchObject({ ok: false, error: { code: "script_memory" } });
    } finally {
      await sandbox.terminate();
    }
  });

  it("opts.maxTurns cannot raise the repository's caps.maxTurns", () => {
    const env = { limits: { maxTurns: 40 } } as unknown as AgentEnv;
    const request = { options: { maxTurns: 100_000 } } as unknown as AgentRequest;
    expect(maxTurnsOf(env, request)).toBe(40);
    expect(maxTurnsOf(env, { options: { maxTurns: 5 } } as unknown as AgentRequest)).toBe(5);
  });
});
