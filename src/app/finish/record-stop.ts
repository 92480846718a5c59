/**
 * Ends a run that was cancelled or failed outside its script (while planning,
 * cloning, pushing or publishing): the status comment says what happened and
 * what to do, the check run (if the run got that far) completes, the command
 * gets its reaction, and the record keeps the reason. Every GitHub write is
 * best effort: the record is updated even when GitHub is what failed.
 */
import type { Logger } from "pino";
import type { StatusComment } from "../../github/status-comment.js";
import type { GitHubClient } from "../../github/github-client.js";
import { abortReasonOf } from "../../errors.js";
import type { RunRecord } from "../../store/index.js";
import { describeFailure } from "./describe-failure.js";
import { renderStoppedComment } from "../surfaces/render-run-comments.js";
import { endRun, endRunBeforeExecution } from "../surfaces/end-run.js";
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
    ? { code: "run_cancelled", message: `Stopped: ${abortReasonOf(signal)}. What finished before is kept; \`/dynflow resume ${run.id}\` continues it.` }
    : describeFailure(options.error, { runId: run.id });
  if (cancelled) log.info({ reason: abortReasonOf(signal) }, "run cancelled outside its script");
  else log.error({ err: options.error, code: failure.code }, "run failed");

  const moment = cancelled ? null : "failed";
  const error = { code: failure.code, message: failure.message };
  if (progress === undefined) {
    const body = renderStoppedComment(run, status, failure.message);
    return endRunBeforeExecution({ github, run, runtime, log }, options.statusComment, { body, moment, record: { status, error } });
  }
  await endRun({ github, run, runtime, log }, progress, {
    status,
    draft: true,
    // The message is dynflow's own markdown, so it goes in as a note, not as the (escaped) error line.
    notes: [`**${cancelled ? "Cancelled" : "Failed"}** ${failure.message}`],
    snapshot: (tracked) => ({ ...tracked, status, error: null }),
    moment,
    record: { error },
  });
}
