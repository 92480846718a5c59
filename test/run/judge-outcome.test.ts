import { describe, expect, it } from "vitest";
import { ALL_AGENTS_FAILED, judgeOutcome } from "../../src/run/judge-outcome.js";
import type { AgentRecord, RunOutcome } from "../../src/runtime/types.js";

const OVERLOADED = "the model API was overloaded (529) after 3 attempts; the run keeps finished work — resume it later";

function agent(id: string, status: AgentRecord["status"], extra: Partial<AgentRecord> = {}): AgentRecord {
  return { id, key: id, label: id, phase: null, role: "worker", status, output: null, change: null, usage: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 }, costUsd: 0, attempts: 1, meta: {}, ...extra };
}

function outcome(agents: AgentRecord[]): RunOutcome {
  const usage = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
  return { runId: "r-1", status: "ok", error: null, result: null, meta: null, agents, stats: { total: agents.length, maxConcurrent: 1, failed: 0, cached: 0 }, phases: [], usage, costUsd: 0, freshUsage: usage, freshCostUsd: 0, wallMs: 0, logs: [], warnings: [] };
}

describe("judgeOutcome", () => {
  it("fails a run whose every agent failed, naming the cause and what resuming does", () => {
    const judged = judgeOutcome(outcome(Array.from({ length: 6 }, (_, i) => agent(`a${i}`, "failed", { error: OVERLOADED }))));
    expect(judged.status).toBe("error");
    expect(judged.error).toEqual({
      code: ALL_AGENTS_FAILED,
      message: `every agent failed (6 of 6), all with the same cause: ${OVERLOADED}. Resuming the run (\`/dynflow resume\`, or \`dynflow resume\` for a local run) runs its script again and calls every failed agent again.`,
    });
  });

  it("leaves a run with any agent that finished, no agents, a stopped agent, or another ending as it is", () => {
    const some = outcome([agent("a1", "failed", { error: OVERLOADED }), agent("a2", "finished")]);
    expect(judgeOutcome(some)).toBe(some);
    const none = outcome([]);
    expect(judgeOutcome(none)).toBe(none);
    const stopped = outcome([agent("a1", "failed", { stopped: true })]);
    expect(judgeOutcome(stopped)).toBe(stopped);
    const capped = { ...outcome([agent("a1", "failed")]), status: "capped" as const };
    expect(judgeOutcome(capped)).toBe(capped);
  });
});
