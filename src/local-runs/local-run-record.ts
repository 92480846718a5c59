/**
 * A `dynflow run` as the repository's local store keeps it: a run record
 * like the app's (owner `local`, the directory's name as the repository), and
 * how a stored run reads back for `dynflow resume`: the same base commit,
 * script, `args` and settings. Pure.
 */
import { z } from "zod";
import type { ReviewConfig } from "../review/types.js";
import type { JsonValue, RunLimits } from "../runtime/types.js";
import type { NewRun, RunPatch, RunRecord } from "../store/index.js";
import { LocalRunUnreadableError } from "./errors.js";

/** The owner every local run is listed under. */
export const LOCAL_OWNER = "local";

/** The command line's caps, budgets and review settings of a run. */
export interface LocalRunSettings {
  limits: Partial<Pick<RunLimits, "maxConcurrency" | "maxAgents" | "budgetTokens" | "budgetUsd">>;
  review: Partial<Pick<ReviewConfig, "refutersPerClaim" | "maxRounds">>;
  /** `--command name=line` flags, over the repository's `commands:`. */
  commands?: Record<string, string>;
  /** `--setup` flags, in place of the repository's `setup:`. */
  setup?: string[];
}

/** What a new local run starts from. */
export interface NewLocalRun {
  id: string;
  /** The repository directory's name. */
  repoName: string;
  task: string | null;
  script: { source: string; filename: string } | null;
  args: JsonValue | undefined;
  /** Null only for a run recorded as failed because git refused its base (it cannot be resumed). */
  baseCommit: string | null;
  baseLabel: string;
  settings: LocalRunSettings;
}

/** Why a local run ended before it had a branch or a report, in the command's own words, and what it had spent. */
export interface LocalRunFailure {
  code: string;
  message: string;
  /** Dollars spent before it failed (the planner's attempts); 0 when nothing was. */
  costUsd: number;
}

/** A stored local run, as `dynflow resume` runs it again. */
export interface StoredLocalRun {
  task: string | null;
  /** Null when the run stopped before its script was planned: it is planned again. */
  script: { source: string; filename: string } | null;
  args: JsonValue | undefined;
  baseCommit: string;
  baseLabel: string;
  settings: LocalRunSettings;
}

/** What `RunRecord.plan` holds for a local run. */
interface LocalPlan {
  /** File name errors of the script point into. */
  filename?: string;
  /** False when the script ran without `args` (it then sees `undefined`, not `{}`). */
  argsGiven?: boolean;
  /** What planning cost, when the script was planned. */
  usage?: JsonValue;
  costUsd?: number;
}

/** The record of a new local run, executing from the start. */
export function newLocalRunRecord(input: NewLocalRun): NewRun {
  const plan: LocalPlan = { argsGiven: input.args !== undefined, ...(input.script ? { filename: input.script.filename } : {}) };
  return {
    id: input.id,
    installationId: 0,
    owner: LOCAL_OWNER,
    repo: input.repoName,
    kind: input.script ? "workflow" : "task",
    status: "running",
    task: input.task,
    workflow: input.script?.filename ?? null,
    args: input.args ?? null,
    baseRef: input.baseLabel,
    baseSha: input.baseCommit,
    script: input.script?.source ?? null,
    plan: toJson(plan),
    limits: toJson(input.settings),
  };
}

/** The fields that keep a planned script with its run. */
export function plannedFields(planned: { source: string; filename: string; args: JsonValue | undefined; plan: { usage: JsonValue; costUsd: number } | null }): Pick<RunRecord, "script" | "plan" | "args"> {
  const plan: LocalPlan = { filename: planned.filename, argsGiven: planned.args !== undefined, ...(planned.plan ? { usage: planned.plan.usage, costUsd: planned.plan.costUsd } : {}) };
  return { script: planned.source, plan: toJson(plan), args: planned.args ?? null };
}

const limitsSchema = z.looseObject({
  maxConcurrency: z.number().int().min(1).max(256).optional(),
  maxAgents: z.number().int().min(1).optional(),
  budgetTokens: z.number().int().min(1).nullable().optional(),
  budgetUsd: z.number().positive().nullable().optional(),
});
const reviewSchema = z.looseObject({ refutersPerClaim: z.number().int().min(1).max(16).optional(), maxRounds: z.number().int().min(1).max(10).optional() });
const settingsSchema = z.looseObject({
  limits: limitsSchema.default({}),
  review: reviewSchema.default({}),
  commands: z.record(z.string(), z.string()).optional(),
  setup: z.array(z.string()).optional(),
});
const planSchema = z.looseObject({ filename: z.string().optional(), argsGiven: z.boolean().optional() });

/**
 * The fields that record a run as failed before it had a branch or a report,
 * so `dynflow show` lists it with its reason and `dynflow resume` can try it
 * again. What planning spent becomes its cost; without such a cost the result
 * is left as it is (agents that ran before keep their spend in the events).
 */
export function failedFields(failure: LocalRunFailure): Pick<RunRecord, "status" | "error"> & Pick<RunPatch, "result"> {
  const spent = failure.costUsd > 0 ? { result: { agents: 0, costUsd: Number(failure.costUsd.toFixed(6)) } } : {};
  return { status: "error", error: { code: failure.code, message: failure.message }, ...spent };
}

/** Reads a stored local run back; throws `LocalRunUnreadableError` for one this version cannot read. */
export function readLocalRun(run: RunRecord): StoredLocalRun {
  if (run.baseSha === null) throw new LocalRunUnreadableError(run.id, "it has no base commit");
  const plan = parse(run.id, "plan", planSchema, run.plan ?? {});
  const stored = parse(run.id, "limits", settingsSchema, run.limits ?? {});
  const settings: LocalRunSettings = {
    limits: withoutUndefined(stored.limits),
    review: withoutUndefined(stored.review),
    ...(stored.commands ? { commands: stored.commands } : {}),
    ...(stored.setup ? { setup: stored.setup } : {}),
  };
  return {
    task: run.task,
    script: run.script === null ? null : { source: run.script, filename: plan.filename ?? "script.js" },
    args: plan.argsGiven === false ? undefined : run.args,
    baseCommit: run.baseSha,
    baseLabel: run.baseRef ?? run.baseSha.slice(0, 12),
    settings,
  };
}

/** `base` with every setting `overrides` gives replacing it: `dynflow resume --budget-usd 5` raises a stopped run's budget. */
export function withOverrides(base: LocalRunSettings, overrides: LocalRunSettings): LocalRunSettings {
  const commands = { ...base.commands, ...overrides.commands };
  const setup = overrides.setup ?? base.setup;
  return {
    limits: { ...base.limits, ...overrides.limits },
    review: { ...base.review, ...overrides.review },
    ...(Object.keys(commands).length > 0 ? { commands } : {}),
    ...(setup ? { setup } : {}),
  };
}

function parse<T>(runId: string, column: string, schema: z.ZodType<T>, value: JsonValue): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new LocalRunUnreadableError(runId, `${[column, ...(issue?.path ?? [])].join(".")}: ${issue?.message ?? "invalid"}`);
}

function toJson(value: object): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
