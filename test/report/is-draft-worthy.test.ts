import { describe, expect, it } from "vitest";
import type { WorkerOutcome } from "../../src/agents/types.js";
import { isDraftWorthy } from "../../src/report/is-draft-worthy.js";
import type { ReportModel } from "../../src/report/types.js";
import { migrationRunModel, migrationWorkers } from "./fixtures/migration-run.js";

function converged(): ReportModel {
  const workers = migrationWorkers().filter((w) => w.status === "accepted");
  return { ...migrationRunModel(), workers, reconcile: { merged: workers.map((w) => w.label), conflicts: [] }, notes: [] };
}

const withWorker = (worker: Partial<WorkerOutcome>): ReportModel => {
  const model = converged();
  return { ...model, workers: [...model.workers, { ...model.workers[0]!, label: "extra", ...worker }] };
};

describe("isDraftWorthy", () => {
  it("is ready when the run is ok and every worker was upheld and merged", () => {
    expect(isDraftWorthy(converged())).toEqual({ draft: false, reasons: [] });
  });

  it.each([
    ["status", { ...converged(), status: "capped" as const }, "the run stopped at a cap"],
    ["error", { ...converged(), status: "error" as const }, "the run failed"],
    ["budget", { ...converged(), status: "budget-exhausted" as const }, "the run stopped when its budget ran out"],
    ["cancelled", { ...converged(), status: "cancelled" as const }, "the run was cancelled"],
    ["not done", { ...converged(), notes: ["reconciliation did not run"] }, "1 thing listed under “Not done” was not done"],
    ["refuted", withWorker({ status: "refuted", verdicts: ["refuted"] }), "1 worker is still refuted"],
    ["unverified", withWorker({ status: "unverified", verdicts: ["unverified"] }), "1 worker could not be verified"],
    ["unreviewed", withWorker({ status: "unreviewed", verdicts: [] }), "1 worker changed files without review"],
    ["failed", withWorker({ status: "failed" }), "1 worker failed"],
    ["capped", withWorker({ status: "capped" }), "1 worker was stopped by a cap"],
    ["conflicted", withWorker({ status: "conflicted" }), "1 worker could not be merged"],
    [
      "unconverged",
      withWorker({ verdicts: ["upheld", "refuted"] }),
      "1 worker was accepted although its last review did not uphold it",
    ],
    ["accepted unreviewed", withWorker({ verdicts: [] }), "1 worker was accepted without review"],
  ])("gives a reason for %s", (_name, model, reason) => {
    const decision = isDraftWorthy(model);
    expect(decision.draft).toBe(true);
    expect(decision.reasons).toEqual([reason]);
  });

  it("counts an unresolved reconciliation conflict once, even when the worker is also conflicted", () => {
    const model = withWorker({ status: "conflicted" });
    model.reconcile = { merged: [], conflicts: [{ label: "extra", paths: ["a"], resolution: "unresolved", reason: "x" }] };
    expect(isDraftWorthy(model).reasons).toEqual(["1 worker could not be merged"]);
  });

  it("does not hold back a conflict the resolver merged", () => {
    const model = converged();
    model.reconcile!.conflicts = [{ label: model.workers[0]!.label, paths: ["a"], resolution: "resolved" }];
    expect(isDraftWorthy(model).draft).toBe(false);
  });

  it("flags a possibly partial accepted change and a run where nothing was accepted", () => {
    const partial = converged();
    partial.workers[0] = { ...partial.workers[0]!, change: { ...partial.workers[0]!.change!, incomplete: true } };
    expect(isDraftWorthy(partial).reasons).toEqual(["1 worker has a possibly partial change"]);

    const none = { ...converged(), workers: [{ ...converged().workers[0]!, status: "discarded" as const }] };
    expect(isDraftWorthy(none).reasons).toEqual(["no worker's change was accepted"]);
  });

  it("lists every reason of the realistic run, with counts", () => {
    expect(isDraftWorthy(migrationRunModel()).reasons).toEqual([
      "1 worker is still refuted",
      "1 worker could not be verified",
      "1 worker failed",
      "1 worker could not be merged",
      "1 thing listed under “Not done” was not done",
    ]);
  });
});
