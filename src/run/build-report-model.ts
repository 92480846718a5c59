/**
 * Assembles the convergence report's model from what a run produced: the
 * run outcome, the review's lines, the reconciliation and the spend outside
 * the script (planning, conflict resolution), with what only the caller
 * knows (the estimate, links). Pure.
 */
import type { WorkerOutcome } from "../agents/types.js";
import type { ReconcileResult } from "../reconcile/types.js";
import type { ReportEstimate, ReportLinks, ReportModel } from "../report/types.js";
import type { LineOutcome } from "../review/types.js";
import { addUsage, type RunOutcome, type TokenUsage } from "../runtime/types.js";

/** Spend outside the script's agents, e.g. the planner's model calls or a conflict resolver. */
export interface ExtraSpend {
  /** Agents it counts as (0 for a planner call, 1 per resolver agent). */
  agents: number;
  usage: TokenUsage;
  costUsd: number;
}

export interface ReportInput {
  runId: string;
  task: string | null;
  repository: string;
  base: { commit: string; branch: string };
  script: string;
  outcome: RunOutcome;
  lines: readonly LineOutcome[];
  workers: readonly WorkerOutcome[];
  reconcile: ReconcileResult | null;
  extra: readonly ExtraSpend[];
  wallMs: number;
  /** More notes for "what was not done", e.g. why reconciliation did not run. */
  notes?: readonly string[];
}

export function buildReportModel(input: ReportInput): ReportModel {
  const { outcome } = input;
  let usage = outcome.usage;
  let costUsd = outcome.costUsd;
  let agents = outcome.stats.total;
  for (const spend of input.extra) {
    usage = addUsage(usage, spend.usage);
    costUsd += spend.costUsd;
    agents += spend.agents;
  }
  const unchanged = input.lines.filter((line) => line.status === "unchanged").map((line) => `${line.label} changed nothing: ${line.reason ?? "no reason given"}`);
  return {
    runId: input.runId,
    task: input.task,
    workflow: input.task === null ? (outcome.meta?.name ?? null) : null,
    repository: input.repository,
    base: input.base,
    status: outcome.status,
    error: outcome.error,
    workers: withConflicts(input.workers, input.reconcile),
    reconcile: input.reconcile ? { merged: input.reconcile.merged, conflicts: input.reconcile.conflicts } : null,
    totals: { agents, usage, costUsd, wallMs: input.wallMs },
    estimate: null,
    phases: outcome.phases,
    script: input.script,
    notes: [...unchanged, ...(input.notes ?? [])],
  };
}

/** Lines whose change could not be merged become `conflicted`, with the reason. */
export function withConflicts<T extends WorkerOutcome | LineOutcome>(workers: readonly T[], reconcile: ReconcileResult | null): T[] {
  const unresolved = new Map((reconcile?.conflicts ?? []).filter((c) => c.resolution === "unresolved").map((c) => [c.label, c]));
  return workers.map((worker) => {
    const conflict = unresolved.get(worker.label);
    if (!conflict) return worker;
    const paths = conflict.paths.length > 0 ? ` (${conflict.paths.join(", ")})` : "";
    return { ...worker, status: "conflicted", reason: `${conflict.reason ?? "the merge conflicted"}${paths}` };
  });
}

/** What a run on GitHub adds to the report: what only the app knows. */
export interface RunReportExtras {
  /** The estimate the run was planned and admitted on. */
  estimate: ReportEstimate | null;
  links: ReportLinks;
  /** What planning cost when it ran in an earlier step (the planner model); null when nothing. */
  planSpend?: { usage: TokenUsage; costUsd: number } | null;
}

/** The report model with the caller's extras; the plan's spend joins the totals. */
export function withRunExtras(model: ReportModel, extras: RunReportExtras): ReportModel {
  const spend = extras.planSpend;
  const totals =
    spend == null ? model.totals : { ...model.totals, usage: addUsage(model.totals.usage, spend.usage), costUsd: model.totals.costUsd + spend.costUsd };
  return { ...model, estimate: extras.estimate, links: extras.links, totals };
}
