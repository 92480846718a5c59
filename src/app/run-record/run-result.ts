/**
 * What a finished run keeps in `RunRecord.result`, for `/dynflow status` and
 * whoever reads the store: a pull-request run's branches and pull request,
 * an audit run's issue and counts. Written by the finish step, read through
 * its zod schema (`readRunResult`). Pure.
 */
import { z } from "zod";
import type { JsonValue } from "../../runtime/types.js";
import { parseColumn, toColumnJson } from "./parse-column.js";

/** The pull request a run opened or updated. */
export interface ResultPullRequest {
  number: number;
  url: string;
  draft: boolean;
}

/** The result of a run that ends in a pull request (`finishRun`). */
export interface PullRequestRunResult {
  branch: string;
  commit: string;
  merged: string[];
  pushed: string[];
  /** Null when nothing was merged, so no pull request was opened. */
  pullRequest: ResultPullRequest | null;
  agents: number;
  costUsd: number;
}

/** The result of an audit run (`finishAuditRun`). */
export interface AuditRunResult {
  /** Null when the audit did not finish, so its issue was left alone. */
  audit: {
    /** Null when no finding survived and no issue existed. */
    issue: { number: number; url: string | null; action: string } | null;
    findings: number;
    unverified: number;
    refuted: number;
    dropped: number;
    newFindings: number;
    fixed: number;
  } | null;
  agents: number;
  costUsd: number;
  /** Set when the run's model calls were batched. */
  batch?: true;
  listCostUsd?: number;
  savedUsd?: number;
}

/** A stored result as read back: every field optional, since either kind (or an older version's) may be stored. */
export interface RunResult {
  pullRequest?: { number: number; url?: string; draft?: boolean } | null;
  audit?: { issue?: { number: number; url?: string | null; action?: string } | null } | null;
  agents?: number;
  costUsd?: number;
}

const runResultSchema: z.ZodType<RunResult> = z.looseObject({
  pullRequest: z.looseObject({ number: z.number(), url: z.string().optional(), draft: z.boolean().optional() }).nullable().optional(),
  audit: z
    .looseObject({ issue: z.looseObject({ number: z.number(), url: z.string().nullable().optional(), action: z.string().optional() }).nullable().optional() })
    .nullable()
    .optional(),
  agents: z.number().optional(),
  costUsd: z.number().optional(),
});

/** The stored result (null before the run finished); throws `UnreadableRunRecordError` for one this version cannot read. */
export function readRunResult(value: JsonValue | null): RunResult | null {
  return value === null ? null : parseColumn("result", runResultSchema, value);
}

/** A result as stored JSON. */
export function toResultJson(result: (PullRequestRunResult | AuditRunResult) & RunResult): JsonValue {
  return toColumnJson(result);
}
