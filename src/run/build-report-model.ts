/**
 * Assembles the convergence report's model from what a run produced: the
 * run outcome, the review's lines, the reconciliation and the spend outside
 * the script (planning, conflict resolution), with what only the caller
 * knows (the estimate, links). Pure.
 */
import type { WorkerOutcome } from "../agents/types.js";
import type { ReconcileResult } from "../reconcile/types.js";
import type { ReportClaim, ReportEstimate, ReportLinks, ReportModel } from "../report/types.js";
import type { LineOutcome } from "../review/types.js";
import type { JsonValue, RunOutcome, TokenUsage } from "../runtime/types.js";
import { totalSpend } from "./total-spend.js";
import { taskOfArgs } from "../workflows/index.js";

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
  /** The script's args: a workflow run by name takes its task from them. */
  args?: JsonValue;
  /** Every claim the script had refuted, with its verdict. */
  claims?: readonly ReportClaim[];
}

export function buildReportModel(input: ReportInput): ReportModel {
  const { outcome } = input;
  const { agents, usage, costUsd } = totalSpend([{ agents: outcome.stats.total, usage: outcome.usage, costUsd: outcome.costUsd }, ...input.extra]);
  const unchanged = input.lines
    .filter((line) => line.status === "unchanged")
    .map((line) => ({ label: line.label, reason: line.reason ?? "no reason given", rounds: line.rounds, usage: line.usage, costUsd: line.costUsd }));
  return {
    runId: input.runId,
    task: input.task ?? taskOfArgs(input.args),
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
    notes: [...(input.notes ?? [])],
    unchanged,
    claims: [...(input.claims ?? [])],
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
  /** When the run started (ms; the command's arrival), so the report's wall time covers planning and waiting too. */
  startedAt?: number;
}

/** The report model with the caller's extras; the plan's spend joins the totals. */
export function withRunExtras(model: ReportModel, extras: RunReportExtras): ReportModel {
  const { agents, usage, costUsd } = totalSpend([model.totals, extras.planSpend && { agents: 0, ...extras.planSpend }]);
  const totals = { ...model.totals, agents, usage, costUsd };
  return { ...model, estimate: extras.estimate, links: extras.links, totals };
}
