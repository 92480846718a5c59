/**
 * Decides whether the pull request must stay a draft, and says why in words
 * the summary can show as they are.
 */
import type { WorkerOutcome, WorkerStatus } from "../agents/types.js";
import type { RunStatus } from "../runtime/types.js";
import { plural } from "./format-values.js";
import type { ReportClaim, ReportModel } from "./types.js";

/** Whether to open the pull request as a draft, and each reason (empty when ready). */
export interface DraftDecision {
  draft: boolean;
  reasons: string[];
}

const STATUS_REASONS: Record<Exclude<RunStatus, "ok">, string> = {
  error: "the run failed",
  capped: "the run stopped at a cap",
  "budget-exhausted": "the run stopped when its budget ran out",
  cancelled: "the run was cancelled",
};

/**
 * A report is draft-worthy when the run did not finish `ok`, or when any work
 * is unconverged (still refuted, or accepted although its last review was not
 * upheld), unverified, unreviewed, failed, capped or conflicted, or when an
 * accepted change is marked incomplete, or when a claim about the run's
 * result was refuted, unverified or left unchecked. Discarded work is the script's own
 * decision and does not make a draft.
 */
export function isDraftWorthy(model: ReportModel): DraftDecision {
  const reasons: string[] = [];
  if (model.status !== "ok") reasons.push(STATUS_REASONS[model.status]);

  const count = (status: WorkerStatus) => model.workers.filter((w) => w.status === status).length;
  const add = (n: number, one: string, many: string) => {
    if (n > 0) reasons.push(`${plural(n, "worker")} ${n === 1 ? one : many}`);
  };
  add(count("refuted"), "is still refuted", "are still refuted");

  const accepted = model.workers.filter((w) => w.status === "accepted");
  add(accepted.filter(unconverged).length, "was accepted although its last review did not uphold it", "were accepted although their last review did not uphold them");
  add(accepted.filter((w) => w.verdicts.length === 0).length, "was accepted without review", "were accepted without review");
  add(count("unverified"), "could not be verified", "could not be verified");
  const unreviewed = model.workers.filter((w) => w.status === "unreviewed");
  add(unreviewed.filter((w) => w.change !== null).length, "changed files without review", "changed files without review");
  add(unreviewed.filter((w) => w.change === null).length, "said nothing needed changing and no refuter checked it", "said nothing needed changing and no refuter checked it");
  add(count("failed"), "failed", "failed");
  add(count("capped"), "was stopped by a cap", "were stopped by a cap");
  add(conflictedLabels(model).size, "could not be merged", "could not be merged");
  add(accepted.filter((w) => w.change?.incomplete === true).length, "has a possibly partial change", "have possibly partial changes");
  if (model.workers.length > 0 && accepted.length === 0) reasons.push("no worker's change was accepted");
  // A claim about the result (a post-migration audit, say) that did not hold means the work is not done.
  // Claims about the base (an audit's findings) say nothing about the pull request.
  const claims = (model.claims ?? []).filter((c) => c.judged.kind === "result");
  const claimCount = (verdict: ReportClaim["verdict"]) => claims.filter((c) => c.verdict === verdict).length;
  const addClaims = (n: number, one: string, many: string) => {
    if (n > 0) reasons.push(`${plural(n, "claim")} ${n === 1 ? one : many}`);
  };
  addClaims(claimCount("refuted"), "was refuted", "were refuted");
  addClaims(claimCount("unverified"), "could not be verified", "could not be verified");
  addClaims(claimCount(null), "was not checked before the run stopped", "were not checked before the run stopped");
  // "Not done" lists what the run left undone: never beside "ready for review".
  if (model.notes.length > 0) reasons.push(`${plural(model.notes.length, "thing")} listed under “Not done” ${model.notes.length === 1 ? "was" : "were"} not done`);

  return { draft: reasons.length > 0, reasons };
}

function unconverged(worker: WorkerOutcome): boolean {
  const last = worker.verdicts.at(-1);
  return last !== undefined && last !== "upheld";
}

/** Labels that could not be merged: conflicted workers and unresolved reconciliation conflicts. */
export function conflictedLabels(model: ReportModel): Set<string> {
  const labels = new Set(model.workers.filter((w) => w.status === "conflicted").map((w) => w.label));
  for (const conflict of model.reconcile?.conflicts ?? []) {
    if (conflict.resolution === "unresolved") labels.add(conflict.label);
  }
  return labels;
}
