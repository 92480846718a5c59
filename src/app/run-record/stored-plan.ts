/**
 * How a run was planned, as kept in `RunRecord.plan`: whether the command
 * only asked for a plan, what kind of plan it got and why, its estimate and
 * the approval decision. Pure.
 */
import type { ApprovalDecision } from "../../config/needs-approval.js";
import type { ReportEstimate } from "../../report/types.js";
import type { JsonValue, TokenUsage } from "../../runtime/types.js";
import type { PlanEstimate } from "../../simulate/estimate-plan.js";

/** Where the script came from. */
export type PlanSource = "single-agent" | "model-written" | "saved-workflow";

export interface StoredPlan {
  /** `/dynflow plan`: stop once the plan is shown, whatever the approval policy. */
  stopAfterPlan: boolean;
  /** The command comment's URL, for links from the status comment, the report and the pull request. */
  commandUrl?: string;
  /** Set once planned. */
  source?: PlanSource;
  /** Why this plan, in words (the planner's decision, or the saved workflow's path). */
  reason?: string;
  /** The planner model's own explanation; null for templates and saved workflows. */
  rationale?: string | null;
  /** File name errors of the script point into. */
  filename?: string;
  estimate?: PlanEstimate;
  approval?: ApprovalDecision;
  /** What planning itself cost (the planner model). */
  usage?: TokenUsage;
  costUsd?: number;
  /** The run's model calls go through the Message Batches API (an audit with `batch: true`). */
  batch?: boolean;
  /** The pull request the command was given on, when it was one (a review run posts its review there). */
  pullRequest?: number;
  /** `owner/repo` of the fork the pull request comes from; nothing is pushed for it without `forks.push`. */
  fork?: string;
  /** The commit saved workflows are read at: the base commit, or the default branch's head for a fork's pull request. */
  workflowsRef?: string;
  /** Who approved the run with `/dynflow approve`; an approved run is not held to its estimate. */
  approvedBy?: string;
  /** What the run had used when it outgrew its estimate and stopped for approval. */
  overrun?: { agents: number; costUsd: number };
}

/** The plan stored on a run (a fresh one when the record has none). */
export function readStoredPlan(value: JsonValue | null): StoredPlan {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { stopAfterPlan: false };
  return value as unknown as StoredPlan;
}

/** The plan as stored JSON. */
export function toPlanJson(plan: StoredPlan): JsonValue {
  return JSON.parse(JSON.stringify(plan)) as JsonValue;
}

/** Whether the run has been planned (its script and estimate are known). */
export function isPlanned(plan: StoredPlan): boolean {
  return plan.source !== undefined;
}

/** The estimate as progress views and reports take it. */
export function reportEstimateOf(plan: StoredPlan): ReportEstimate | null {
  const estimate = plan.estimate;
  if (estimate === undefined) return null;
  return { agents: estimate.agents, tokens: estimate.tokens, costUsd: estimate.costUsd };
}
