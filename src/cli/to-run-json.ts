/**
 * The one JSON object `dynflow run --json` prints (documented in docs/cli.md).
 */
import { ZERO_USAGE, type JsonValue, type RunStatus, type TokenUsage } from "../runtime/types.js";
import type { LineStatus } from "../review/types.js";
import type { WorkflowResult } from "../run/types.js";

export interface RunJson {
  status: RunStatus;
  runId: string;
  /** The local branch holding the merged result. */
  branch: string;
  /** Its commit (the base commit when nothing was merged). */
  commit: string;
  /** What stopped the run or its script: a script error with its line, a cap, a cancel, a failed plan; null when nothing did. */
  error: { code: string; message: string; line?: number } | null;
  /** The script's return value; null when it returned nothing or did not finish. */
  result: JsonValue | null;
  /** Warnings of the run (unknown agent options, items that failed in `parallel()`, ...). */
  warnings: string[];
  /** Agents the script started. */
  agents: { total: number; maxConcurrent: number; failed: number; cached: number };
  /** Every token spent: the script's agents, planning and conflict resolution. */
  tokens: TokenUsage;
  costUsd: number;
  /** Path of the report file. */
  report: string;
  /** Whether a pull request of this result would be a draft. */
  draft: boolean;
  workers: {
    label: string;
    status: LineStatus;
    rounds: number;
    verdicts: string[];
    /** The worker's branch, null when it changed nothing. */
    branch: string | null;
    /** Paths the change touched. */
    files: string[];
    additions: number;
    deletions: number;
  }[];
}

export function toRunJson(result: WorkflowResult, reportPath: string): RunJson {
  const { outcome, reportModel } = result;
  return {
    status: outcome.status,
    runId: result.runId,
    branch: result.branch,
    commit: result.commit,
    error: outcome.error ? { code: outcome.error.code, message: outcome.error.message, ...(outcome.error.line ? { line: outcome.error.line } : {}) } : null,
    result: outcome.result === undefined ? null : outcome.result,
    warnings: [...outcome.warnings],
    agents: { ...outcome.stats },
    tokens: { ...reportModel.totals.usage },
    costUsd: Number(reportModel.totals.costUsd.toFixed(6)),
    report: reportPath,
    draft: result.draft,
    workers: result.lines.map((line) => ({
      label: line.label,
      status: line.status,
      rounds: line.rounds,
      verdicts: [...line.verdicts],
      branch: line.change?.branch ?? null,
      files: line.change?.files.map((file) => file.path) ?? [],
      additions: line.change?.additions ?? 0,
      deletions: line.change?.deletions ?? 0,
    })),
  };
}

/** The JSON of a run that ended before it had a branch or a report (planning failed, git refused): the same fields, those null. */
export type FailedRunJson = Omit<RunJson, "branch" | "commit" | "report"> & { branch: null; commit: null; report: null };

/** The JSON of a run that ended before it ran its script: what it spent, and why. */
export function toFailedRunJson(runId: string, error: { code: string; message: string }, spend: { usage?: TokenUsage; costUsd?: number } = {}): FailedRunJson {
  return {
    status: "error",
    runId,
    branch: null,
    commit: null,
    error: { code: error.code, message: error.message },
    result: null,
    warnings: [],
    agents: { total: 0, maxConcurrent: 0, failed: 0, cached: 0 },
    tokens: { ...(spend.usage ?? ZERO_USAGE) },
    costUsd: Number((spend.costUsd ?? 0).toFixed(6)),
    report: null,
    draft: false,
    workers: [],
  };
}

/**
 * The exit code of `dynflow run`: 0 only when the run ended `ok` and its
 * result needs no caveat (no draft: nothing refuted, failed, capped,
 * conflicted, unverified or unreviewed) and not every agent it started
 * failed; 1 otherwise.
 */
export function exitCodeOf(json: RunJson | FailedRunJson): 0 | 1 {
  const everyAgentFailed = json.agents.total > 0 && json.agents.failed === json.agents.total;
  return json.status === "ok" && !json.draft && !everyAgentFailed ? 0 : 1;
}
