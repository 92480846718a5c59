import { describe, expect, it } from "vitest";
import type { WorkerOutcome } from "../../src/agents/types.js";
import { buildReportModel, withConflicts } from "../../src/run/build-report-model.js";
import type { ReconcileResult } from "../../src/reconcile/types.js";
import type { LineOutcome } from "../../src/review/types.js";
import { ZERO_USAGE, type RunOutcome } from "../../src/runtime/types.js";

const usage = (input: number, output = 0) => ({ ...ZERO_USAGE, input, output });

function worker(label: string, status: WorkerOutcome["status"], extra: Partial<WorkerOutcome> = {}): WorkerOutcome {
  return { label, status, rounds: 1, verdicts: [], change: null, usage: usage(10), costUsd: 0.1, ...extra };
}

const outcome: RunOutcome = {
  runId: "r1",
  status: "ok",
  error: null,
  result: undefined,
  meta: { name: "migrate", description: "d" },
  agents: [],
  stats: { total: 5, maxConcurrent: 2, failed: 0, cached: 0 },
  phases: [{ title: "Migrate", agents: 5 }],
  usage: usage(1000, 100),
  costUsd: 1.5,
  freshUsage: usage(1000, 100),
  freshCostUsd: 1.5,
  wallMs: 10,
  logs: [],
  warnings: [],
};

const reconcile: ReconcileResult = {
  branch: "dynflow/r1",
  commit: "c".repeat(40),
  tree: "t".repeat(40),
  merged: ["a"],
  conflicts: [
    { label: "b", paths: ["src/shared.ts"], resolution: "unresolved", reason: "the conflict resolver gave up" },
    { label: "c", paths: ["src/other.ts"], resolution: "resolved" },
  ],
};

describe("buildReportModel", () => {
  it("adds planning and resolver spend to the totals and lists lines that changed nothing as needing no change, not as not done", () => {
    const lines: LineOutcome[] = [
      { ...worker("a", "accepted"), line: "w1" },
      { ...worker("docs", "accepted", { reason: "nothing calls fetchJson there" }), status: "unchanged", line: "w2" },
    ];
    const model = buildReportModel({
      runId: "r1",
      task: null,
      repository: "acme/shop",
      base: { commit: "b".repeat(40), branch: "main" },
      script: "export const meta = {}",
      outcome,
      lines,
      workers: [worker("a", "accepted")],
      reconcile,
      extra: [
        { agents: 0, usage: usage(500, 50), costUsd: 0.25 },
        { agents: 1, usage: usage(100, 10), costUsd: 0.05 },
      ],
      wallMs: 4_000,
    });
    expect(model.totals).toEqual({ agents: 6, usage: usage(1600, 160), costUsd: 1.8, wallMs: 4_000 });
    expect(model.workflow).toBe("migrate");
    expect(model.notes).toEqual([]);
    expect(model.unchanged).toMatchObject([{ label: "docs", reason: "nothing calls fetchJson there" }]);
    expect(model.reconcile).toEqual({ merged: ["a"], conflicts: reconcile.conflicts });
    expect(model.estimate).toBeNull();
  });

  it("marks workers whose merge stayed unresolved as conflicted, keeping resolved ones", () => {
    const marked = withConflicts([worker("a", "accepted"), worker("b", "unverified"), worker("c", "accepted")], reconcile);
    expect(marked.map((w) => [w.label, w.status, w.reason])).toEqual([
      ["a", "accepted", undefined],
      ["b", "conflicted", "the conflict resolver gave up (src/shared.ts)"],
      ["c", "accepted", undefined],
    ]);
  });
});
