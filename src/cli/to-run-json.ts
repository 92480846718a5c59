/**
 * The one JSON object `dynflow run --json` prints (documented in docs/cli.md).
 */
import type { RunStatus, TokenUsage } from "../runtime/types.js";
import type { LineStatus } from "../review/types.js";
import type { WorkflowResult } from "../run/types.js";

export interface RunJson {
  status: RunStatus;
  runId: string;
  /** The local branch holding the merged result. */
  branch: string;
  /** Its commit (the base commit when nothing was merged). */
  commit: string;
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
