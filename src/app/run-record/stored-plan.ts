/**
 * How a run was planned, as kept in `RunRecord.plan`: whether the command
 * only asked for a plan, what kind of plan it got and why, its estimate and
 * the approval decision. Read through its zod schema (`readStoredPlan`).
 * Pure.
 */
import { z } from "zod";
import type { ApprovalDecision } from "../../config/needs-approval.js";
import type { ReportEstimate } from "../../report/types.js";
import type { JsonValue, RunErrorInfo, RunStatus, TokenUsage } from "../../runtime/types.js";
import type { PlanEstimate } from "../../simulate/estimate-plan.js";
import type { RunStep } from "../../queue/runs/run-queue.js";
import type { RunRecord } from "../../store/index.js";
import { UnreadableRunRecordError } from "../errors.js";
import { parseColumn, toColumnJson } from "./parse-column.js";

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
  /** What the detected modules leave out, said in the plan comment. */
  modulesNote?: string;
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
  /** Where agent definitions and `workflow({ scriptPath })` scripts are read (see `RunBase.trustedRef`); the base commit when absent. */
  definitionsRef?: string;
  /** `owner/repo` of the fork the pull request comes from; nothing is pushed for it without `forks.push`. */
  fork?: string;
  /** The repository's clone URL as the API reported it when the run was planned: its execution does not ask again. */
  cloneUrl?: string;
  /** Who approved (or resumed) the run; such a run is not held to its estimate. */
  approvedBy?: string;
  /** What the run had used when it outgrew its estimate and stopped for approval. */
  overrun?: { agents: number; costUsd: number };
}

// Objects are loose: a field a newer version adds survives a read-modify-write by this one.
const usageSchema: z.ZodType<TokenUsage> = z.looseObject({ input: z.number(), output: z.number(), cacheWrite: z.number(), cacheRead: z.number() });
const runStatusSchema: z.ZodType<RunStatus> = z.enum(["ok", "error", "capped", "budget-exhausted", "cancelled"]);
const runErrorSchema: z.ZodType<RunErrorInfo> = z.looseObject({ code: z.string(), message: z.string(), line: z.number().optional(), file: z.string().optional() });

const estimateSchema: z.ZodType<PlanEstimate> = z.looseObject({
  status: runStatusSchema,
  error: runErrorSchema.nullable(),
  agents: z.number(),
  phases: z.array(z.looseObject({ title: z.string(), agents: z.number() })),
  usage: usageSchema,
  tokens: z.number(),
  costUsd: z.number(),
  durationMs: z.number(),
  concurrency: z.number(),
});

const approvalSchema: z.ZodType<ApprovalDecision> = z.union([
  z.looseObject({ required: z.literal(false) }),
  z.looseObject({ required: z.literal(true), reasons: z.array(z.string()) }),
]);

const storedPlanSchema: z.ZodType<StoredPlan> = z.looseObject({
  stopAfterPlan: z.boolean().default(false),
  commandUrl: z.string().optional(),
  source: z.enum(["single-agent", "model-written", "saved-workflow"]).optional(),
  reason: z.string().optional(),
  rationale: z.string().nullable().optional(),
  modulesNote: z.string().optional(),
  filename: z.string().optional(),
  estimate: estimateSchema.optional(),
  approval: approvalSchema.optional(),
  usage: usageSchema.optional(),
  costUsd: z.number().optional(),
  batch: z.boolean().optional(),
  pullRequest: z.number().optional(),
  definitionsRef: z.string().optional(),
  fork: z.string().optional(),
  cloneUrl: z.string().optional(),
  approvedBy: z.string().optional(),
  overrun: z.looseObject({ agents: z.number(), costUsd: z.number() }).optional(),
});

/** The plan stored on a run (a fresh one when the record has none); throws `UnreadableRunRecordError` for one this version cannot read. */
export function readStoredPlan(value: JsonValue | null): StoredPlan {
  return value === null ? { stopAfterPlan: false } : parseColumn("plan", storedPlanSchema, value);
}

/** The plan as stored JSON. */
export function toPlanJson(plan: StoredPlan): JsonValue {
  return toColumnJson(plan);
}

/**
 * The step an unfinished run goes on with (after a restart, or when resumed):
 * planning again without a plan, executing with one. A plan that cannot be
 * read goes to execution too, which ends the run with that message.
 */
export function nextStepOf(run: Pick<RunRecord, "plan">): RunStep {
  try {
    // Planned: its script and estimate are known.
    return readStoredPlan(run.plan).source !== undefined ? "execute" : "plan";
  } catch (error) {
    if (error instanceof UnreadableRunRecordError) return "execute";
    throw error;
  }
}

/** The estimate as progress views and reports take it. */
export function reportEstimateOf(plan: StoredPlan): ReportEstimate | null {
  const estimate = plan.estimate;
  if (estimate === undefined) return null;
  return { agents: estimate.agents, tokens: estimate.tokens, costUsd: estimate.costUsd };
}
