/**
 * One vocabulary across the report, checked on every combination of run
 * status and worker outcomes: the summary's count, the table's rows, the
 * sections and the closing sentence never contradict each other.
 */
import { describe, expect, it } from "vitest";
import type { WorkerOutcome, WorkerStatus } from "../../src/agents/types.js";
import { renderReport } from "../../src/report/render-report.js";
import type { ReportModel, UnchangedWorker } from "../../src/report/types.js";
import type { RunStatus } from "../../src/runtime/types.js";

const ZERO = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
const STATUSES: RunStatus[] = ["ok", "error", "capped", "budget-exhausted", "cancelled"];
const WORKER_STATUSES: WorkerStatus[] = ["accepted", "refuted", "unverified", "unreviewed", "failed", "capped", "discarded", "conflicted"];

function worker(status: WorkerStatus, index: number): WorkerOutcome {
  const changed = status !== "failed" && status !== "capped";
  return {
    label: `${status}-${index}`,
    status,
    rounds: 1,
    verdicts: status === "accepted" ? ["upheld"] : status === "refuted" ? ["refuted"] : [],
    change: changed
      ? { branch: `dynflow/r-1-work/${status}-${index}`, commit: "c".repeat(40), base: "b".repeat(40), files: [{ path: "a.ts", status: "modified", additions: 1, deletions: 1 }], additions: 1, deletions: 1, incomplete: false }
      : null,
    usage: { ...ZERO, output: 10 },
    costUsd: 0.01,
    reason: status === "accepted" ? undefined : `why ${status}`,
  };
}

const unchanged = (index: number): UnchangedWorker => ({ label: `same-${index}`, reason: "already migrated", rounds: 1, usage: { ...ZERO, output: 5 }, costUsd: 0.001 });

/** Worker sets: none, only unchanged, only accepted, each status alone, and everything at once. */
function workerSets(): { name: string; workers: WorkerOutcome[]; unchanged: UnchangedWorker[] }[] {
  return [
    { name: "no worker", workers: [], unchanged: [] },
    { name: "three needing no change", workers: [], unchanged: [unchanged(1), unchanged(2), unchanged(3)] },
    { name: "two accepted", workers: [worker("accepted", 1), worker("accepted", 2)], unchanged: [] },
    { name: "accepted and unchanged", workers: [worker("accepted", 1)], unchanged: [unchanged(1)] },
    ...WORKER_STATUSES.map((status) => ({ name: `one ${status}`, workers: [worker(status, 1)], unchanged: [] })),
    { name: "everything", workers: WORKER_STATUSES.map(worker), unchanged: [unchanged(1)] },
  ];
}

function model(status: RunStatus, workers: WorkerOutcome[], unchangedWorkers: UnchangedWorker[], notes: string[]): ReportModel {
  return {
    runId: "r-1",
    task: "migrate the callers",
    workflow: null,
    repository: "acme/app",
    base: { commit: "b".repeat(40), branch: "main" },
    status,
    error: status === "ok" ? null : { code: status, message: `stopped: ${status}.` },
    workers,
    unchanged: unchangedWorkers,
    reconcile: {
      merged: workers.filter((w) => ["accepted", "unverified", "unreviewed"].includes(w.status)).map((w) => w.label),
      conflicts: workers.filter((w) => w.status === "conflicted").map((w) => ({ label: w.label, paths: ["a.ts"], resolution: "unresolved" as const, reason: "both changed a.ts" })),
    },
    totals: { agents: workers.length + unchangedWorkers.length, usage: ZERO, costUsd: 0, wallMs: 1_000 },
    phases: [
      { title: "Survey", agents: 0 },
      { title: "Migrate", agents: workers.length + unchangedWorkers.length },
    ],
    script: 'export const meta = { name: "m", description: "d" };\n',
    notes,
  };
}

const combinations = STATUSES.flatMap((status) =>
  workerSets().flatMap((set) => [[], ["reconciliation did not run"]].map((notes) => ({ status, ...set, notes }))),
);

describe("the report's vocabulary", () => {
  it.each(combinations.map((c) => [`${c.status}, ${c.name}${c.notes.length > 0 ? ", with a note" : ""}`, c] as const))("%s", (_name, c) => {
    const report = renderReport(model(c.status, c.workers, c.unchanged, c.notes));
    const summary = report.split("\n")[0] ?? "";
    const ran = c.workers.length + c.unchanged.length;
    const table = /### Workers\n([\s\S]*?)(?=\n### |$)/.exec(report)?.[1] ?? "";
    const rows = table.split("\n").filter((line) => /^\| (?!Worker \||---)/.test(line));

    // The summary's count and the table agree, and "No worker ran" only when none did.
    expect(rows).toHaveLength(ran);
    if (ran === 0) {
      expect(summary).toContain("**No worker ran.**");
      expect(report).toContain("### Workers\n\nNo worker ran.");
    } else {
      expect(report).not.toContain("No worker ran");
      expect(summary).toMatch(new RegExp(`\\*\\*\\d+ of ${ran} workers? converged\\*\\*`));
      expect(summary).not.toMatch(/\b0 of 0\b/);
    }

    // "Nothing is left unconverged" never beside work that did not converge, or beside a draft.
    const unconvergedSections = ["Refuted", "Unverified", "Unreviewed", "Failed", "Capped", "Conflicts", "Not done"];
    if (summary.includes("Nothing is left unconverged")) {
      for (const title of unconvergedSections) expect(report).not.toContain(`### ${title} (`);
      expect(summary).not.toContain("**draft**");
    }
    if (c.status !== "ok") expect(summary).toContain("**draft**");

    // Work that correctly needed no change is its own section, never "not done".
    if (c.unchanged.length > 0) expect(report).toContain(`### No change needed (${c.unchanged.length})`);
    const notDone = /### Not done \((\d+)\)([\s\S]*?)(?=\n### |$)/.exec(report);
    expect(notDone?.[1] === undefined ? 0 : Number(notDone[1])).toBe(c.notes.length);
    expect(notDone?.[2] ?? "").not.toContain("already migrated");

    // No phase that started no agent is drawn; no sentence ends twice.
    expect(report).not.toContain("<br/>0 agents");
    expect(summary).not.toMatch(/\.\./);
  });
});
