/**
 * The scheduler's agent setup hook, through runScript: every call is set up
 * before it is keyed and queued; a call that cannot be set up fails with its
 * reason; a fatal setup stops the run; phases' defaults reach the setup.
 */
import { describe, expect, it } from "vitest";
import { createRunAgentSetup } from "../../src/agent-setup/create-run-agent-setup.js";
import { MemoryJournal } from "../../src/runtime/journal/memory-journal.js";
import { runScript } from "../../src/runtime/run-script.js";
import type { AgentRequest, AgentSetupCall } from "../../src/runtime/types.js";
import { answeringRunner } from "../fakes/controlled-runner.js";

const prepareAgent = createRunAgentSetup({ agentDefinitions: null });

function run(body: string, extra: { journal?: MemoryJournal; requests?: AgentRequest[]; meta?: string } = {}) {
  const requests = extra.requests ?? [];
  return runScript({
    runId: "r",
    source: `export const meta = ${extra.meta ?? `{ name: "t", description: "d" }`}\n${body}`,
    baseRevision: "base",
    runner: answeringRunner((request) => (requests.push(request), "ok")),
    journal: extra.journal,
    prepareAgent,
  });
}

describe("agent setup in the scheduler", () => {
  it("runs agents with the resolved model; a shortcut and its id are the same call to the journal", async () => {
    const journal = new MemoryJournal();
    const requests: AgentRequest[] = [];
    const first = await run(`return await agent("summarise", { model: "haiku" })`, { journal, requests });
    expect(first.status).toBe("ok");
    expect(requests[0]?.options.model).toBe("claude-haiku-5-5");
    const again = await run(`return await agent("summarise", { model: "claude-haiku-5-5" })`, { journal, requests });
    expect(again.stats.cached).toBe(1);
  });

  it("fails an agent whose type does not exist with the reason, and the script goes on", async () => {
    const outcome = await run(`const a = await agent("explore", { agentType: "scout" })\nconst b = await agent("plain")\nreturn [a, b]`);
    expect(outcome.status).toBe("ok");
    expect(outcome.result).toEqual([null, "ok"]);
    expect(outcome.agents[0]).toMatchObject({ status: "failed", error: expect.stringContaining("looked for .claude/agents/scout.md") });
  });

  it("stops the whole run at a model without a price, with status error and the model named", async () => {
    const requests: AgentRequest[] = [];
    const outcome = await run(`await agent("first")\nconst cheap = await agent("second", { model: "acme-1" })\nawait agent("third")\nreturn cheap`, { requests });
    expect(outcome.status).toBe("error");
    expect(outcome.error).toMatchObject({ code: "model_without_price", message: expect.stringContaining('"acme-1"') });
    expect(requests.map((r) => r.prompt)).toEqual(["first"]);
    expect(outcome.agents.map((a) => a.status)).toEqual(["finished", "failed"]);
  });

  it("gives the setup each agent's phase with its meta.phases defaults, nested workflows' phases included", async () => {
    const seen: AgentSetupCall["phase"][] = [];
    const outcome = await runScript({
      runId: "r",
      source: `export const meta = { name: "t", description: "d", phases: [{ title: "Scan", model: "haiku" }, { title: "Fix", effort: "high" }] }
phase("Scan"); await agent("a")
await agent("b", { phase: "Fix" })
await workflow({ script: 'export const meta = { name: "inner", description: "d", phases: [{ title: "Deep", model: "opus" }] }\\nphase("Deep"); return agent("c")' })
phase("Other"); await agent("d")`,
      baseRevision: "base",
      runner: answeringRunner(() => "ok"),
      prepareAgent: async (call) => (seen.push(call.phase), { ok: true, options: call.options }),
    });
    expect(outcome.error).toBeNull();
    expect(seen).toEqual([{ title: "Scan", model: "haiku" }, { title: "Fix", effort: "high" }, { title: "Deep", model: "opus" }, { title: "Other" }]);
  });

  it("shows setup warnings once in the run's log", async () => {
    const outcome = await run(`await agent("x", { effort: "ultra" }); await agent("y", { effort: "ultra" })`);
    expect(outcome.warnings.filter((w) => w.includes('"ultra"'))).toHaveLength(1);
  });
});
