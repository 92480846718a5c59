/**
 * Ends a run that was cancelled or failed outside its script (while planning,
 * cloning, pushing or publishing): the status comment says what happened and
 * what to do, the check run (if the run got that far) completes, the command
 * gets its reaction, and the record keeps the reason. Every GitHub write is
 * best effort: the record is updated even when GitHub is what failed.
 */
import type { Logger } from "pino";
import type { StatusComment } from "../../github/status-comment.js";
import { reactToComment } from "../../github/reactions.js";
import type { GitHubClient } from "../../github/github-client.js";
import { renderCheckRunSummary } from "../../progress/render-check-run-summary.js";
import { renderStatusComment } from "../../progress/render-status-comment.js";
import type { RunRecord } from "../../store/index.js";
import { describeFailure } from "./describe-failure.js";
import { renderStoppedComment } from "../surfaces/render-run-comments.js";
import type { RunProgress } from "../surfaces/run-surfaces.js";
import type { AppRuntime } from "../services/types.js";

export interface RecordStopOptions {
  github: GitHubClient;
  run: RunRecord;
  runtime: AppRuntime;
  error: unknown;
  /** The run's stop signal: aborted means cancelled (by a user or the deadline), not failed. */
  signal: AbortSignal;
  /** The status comment when the run had not started executing yet. */
  statusComment: StatusComment | null;
  /** The execution's progress when it had started. */
  progress?: RunProgress;
  log: Logger;
}

/** Records the stop; never throws for a GitHub failure. */
export async function recordStop(options: RecordStopOptions): Promise<void> {
  const { github, run, runtime, signal, progress, log } = options;
  const cancelled = signal.aborted;
  const status = cancelled ? "cancelled" : "error";
  const failure = cancelled
    ? { code: "run_cancelled", message: `Stopped: ${reasonOf(signal)}. What finished before is kept; \`/dynflow resume ${run.id}\` continues it.` }
    : describeFailure(options.error, { runId: run.id });
  if (cancelled) log.info({ reason: reasonOf(signal) }, "run cancelled outside its script");
  else log.error({ err: options.error, code: failure.code }, "run failed");

  const best = async (what: string, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      log.warn({ err: error }, `could not update the ${what}`);
    }
  };
  if (progress !== undefined) {
    // The message is dynflow's own markdown, so it goes in as a note, not as the (escaped) error line.
    const snapshot = { ...progress.snapshot(), status, error: null } as const;
    const render = progress.renderOptions([`**${cancelled ? "Cancelled" : "Failed"}** ${failure.message}`]);
    await best("check run", () =>
      progress.checkRun.complete({ status, draft: true, output: renderCheckRunSummary(snapshot, render) }),
    );
    await best("status comment", async () => progress.statusComment?.flush(renderStatusComment(snapshot, render)));
  } else if (options.statusComment !== null) {
    const statusComment = options.statusComment;
    await best("status comment", () => statusComment.flush(renderStoppedComment(run, status, failure.message)));
  }
  if (!cancelled && run.commandCommentId !== null) {
    await reactToComment({ octokit: github, owner: run.owner, repo: run.repo, commentId: run.commandCommentId, moment: "failed", log });
  }
  await runtime.store.runs.update(run.id, { status, error: { code: failure.code, message: failure.message } });
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === "string" ? reason : "cancelled";
}
