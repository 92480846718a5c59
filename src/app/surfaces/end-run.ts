/**
 * How a run's surfaces are written when nothing must fail the run for them:
 * the status comment shown between steps, and the end of a run (check run
 * completed, final status comment, reaction on the command, record updated).
 * Every GitHub write here is best effort: a failure is logged and the run's
 * record is still updated, so GitHub being what failed never loses the run.
 */
import type { Logger } from "pino";
import type { GitHubClient } from "../../github/github-client.js";
import { reactToComment, type ReactionMoment } from "../../github/reactions.js";
import type { StatusComment, StatusCommentRef } from "../../github/status-comment.js";
import { withCiSection } from "../../ci/render-ci-section.js";
import { CHECK_OUTPUT_LIMIT } from "../../progress/fit-text.js";
import { renderCheckRunSummary } from "../../progress/render-check-run-summary.js";
import { GITHUB_BODY_LIMIT } from "../../report/render-report.js";
import { renderStatusComment } from "../../progress/render-status-comment.js";
import type { ProgressLinks, ProgressSnapshot } from "../../progress/types.js";
import type { RunStatus, TokenUsage } from "../../runtime/types.js";
import type { RunPatch, RunRecord } from "../../store/index.js";
import type { AppRuntime } from "../services/types.js";
import type { RunProgress } from "./run-surfaces.js";

/** Runs a write that must not fail the run: its value, or undefined when it failed (logged as "could not update the `what`"). */
export async function bestEffort<T>(log: Logger, what: string, write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    log.warn({ err: error }, `could not update the ${what}`);
    return undefined;
  }
}

/** Writes `body` into the status comment now (when the run has one); its ref, or undefined when there is none or the write failed (logged). */
export async function showInStatusComment(statusComment: StatusComment | null, body: string, log: Logger): Promise<StatusCommentRef | undefined> {
  if (statusComment === null) return undefined;
  return bestEffort(log, "status comment", () => statusComment.flush(body));
}

/** The reaction a run's end earns on its command: 🚀 for a finished run, 😕 for a failed one, none for a stop at a cap or a cancel. */
export function reactionFor(status: RunStatus): ReactionMoment | null {
  return status === "ok" ? "succeeded" : status === "error" ? "failed" : null;
}

/** Where the end of a run is written. */
export interface RunSurfaces {
  github: GitHubClient;
  run: RunRecord;
  runtime: Pick<AppRuntime, "store">;
  log: Logger;
}

/** How a run ended, as its surfaces and record say it. */
export interface RunEnding {
  status: RunStatus;
  /** The check run's conclusion is neutral for a draft (anything unconverged or unfinished). */
  draft: boolean;
  /** Closing lines of both views, in dynflow's own words (trusted markdown). */
  notes: string[];
  /** Links beyond the command and the check run (the pull request). */
  links?: ProgressLinks;
  /** The full report, as the check run's text. */
  report?: string;
  /** The CI wait's section, ending the check run summary and the status comment (see `withCiSection`). */
  ciSection?: string;
  /** The progress to show instead of the tracked one (a stop outside the script sets its own status). */
  snapshot?: (tracked: ProgressSnapshot) => ProgressSnapshot;
  /** The reaction on the command; default `reactionFor(status)`. */
  moment?: ReactionMoment | null;
  /** What the record keeps besides the status and the surfaces' ids. */
  record: Pick<RunPatch, "error" | "result" | "prNumber">;
}

/**
 * The end of an executing run: complete the check run and write the final
 * status comment from its progress, react on the command, and update the
 * record (status, the surfaces' ids, and `ending.record`). Throws only when
 * the store does.
 */
export async function endRun(surfaces: RunSurfaces, progress: RunProgress, ending: RunEnding): Promise<void> {
  const { run, log } = surfaces;
  // The ending is the truth: a script that finished can still end a failed run (every agent failed, the push failed).
  const tracked = { ...progress.snapshot(), status: ending.status, ...(ending.record.error !== undefined ? { error: ending.record.error } : {}) };
  const snapshot = ending.snapshot ? ending.snapshot(tracked) : tracked;
  await progress.drain();
  const render = progress.renderOptions(ending.notes, ending.links);
  const section = ending.ciSection;
  const summary = renderCheckRunSummary(snapshot, render);
  await bestEffort(log, "check run", () =>
    progress.checkRun.complete({
      status: ending.status,
      draft: ending.draft,
      output: section === undefined ? summary : { ...summary, summary: withCiSection(summary.summary, section, CHECK_OUTPUT_LIMIT) },
      ...(ending.report !== undefined ? { report: ending.report } : {}),
    }),
  );
  const comment = renderStatusComment(snapshot, render);
  await showInStatusComment(progress.statusComment, section === undefined ? comment : withCiSection(comment, section, GITHUB_BODY_LIMIT), log);
  await settleRun(surfaces, ending.moment === undefined ? reactionFor(ending.status) : ending.moment, {
    status: ending.status,
    checkRunId: progress.checkRun.current?.id ?? run.checkRunId,
    statusCommentId: progress.statusComment?.current?.id ?? run.statusCommentId,
    ...ending.record,
  });
}

/**
 * The end of a run that never executed (stopped while queued or planning):
 * `body` in the status comment, the reaction, and the record.
 */
export async function endRunBeforeExecution(
  surfaces: RunSurfaces,
  statusComment: StatusComment | null,
  ending: { body: string; moment: ReactionMoment | null; record: Pick<RunPatch, "status" | "error"> },
): Promise<void> {
  await showInStatusComment(statusComment, ending.body, surfaces.log);
  await settleRun(surfaces, ending.moment, ending.record);
}

/** Reacts on the command (when a comment asked for the run) and updates the record. */
async function settleRun(surfaces: RunSurfaces, moment: ReactionMoment | null, patch: RunPatch): Promise<void> {
  const { github, run, runtime, log } = surfaces;
  if (moment !== null && run.commandCommentId !== null) {
    await reactToComment({ octokit: github, owner: run.owner, repo: run.repo, commentId: run.commandCommentId, moment, log });
  }
  await runtime.store.runs.update(run.id, patch);
}

/** A run's progress ending on its report's totals: every surface shows the one total (see `totalSpend`). */
export function withReportTotals(tracked: ProgressSnapshot, result: { reportModel: { totals: { usage: TokenUsage; costUsd: number } } }): ProgressSnapshot {
  const { usage, costUsd } = result.reportModel.totals;
  return { ...tracked, usage, costUsd };
}
