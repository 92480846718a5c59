/**
 * Where a run shows itself on GitHub: its status comment on the issue or
 * pull request, and its check run on the base commit. Both are found again
 * by run id, so a resumed run edits the same ones instead of adding more.
 */
import type { Logger } from "pino";
import { createCheckRun, type CheckRun } from "../../github/check-run.js";
import type { GitHubClient } from "../../github/github-client.js";
import { createStatusComment, type StatusComment } from "../../github/status-comment.js";
import { totalSpend, type Spend } from "../../run/total-spend.js";
import { createProgressTracker } from "../../progress/create-progress-tracker.js";
import { renderCheckRunSummary } from "../../progress/render-check-run-summary.js";
import { renderStatusComment } from "../../progress/render-status-comment.js";
import type { ProgressLinks, ProgressSnapshot, RenderProgressOptions } from "../../progress/types.js";
import type { ReportEstimate } from "../../report/types.js";
import type { RunEvent } from "../../runtime/types.js";
import { appendEventsInOrder, type RunRecord } from "../../store/index.js";
import { botLoginOf } from "../services/bot-identity.js";
import type { AppRuntime } from "../services/types.js";
import { realTimers } from "../../time.js";

/** The run's status comment (written on the issue or pull request of its command); progress edits paced by `minIntervalMs`. */
export async function openStatusComment(
  github: GitHubClient,
  run: RunRecord,
  runtime: AppRuntime,
  minIntervalMs: number | (() => number) | undefined = runtime.progressIntervalMs,
): Promise<StatusComment | null> {
  if (run.issueNumber === null) return null;
  const slug = await runtime.appSlug();
  return createStatusComment({
    octokit: github,
    owner: run.owner,
    repo: run.repo,
    issueNumber: run.issueNumber,
    runId: run.id,
    // Known once the run was acknowledged: no need to list the issue's comments to find it.
    ...(run.statusCommentId !== null ? { commentId: run.statusCommentId } : {}),
    ...(slug !== undefined ? { botLogin: botLoginOf(slug) } : {}),
    minIntervalMs,
    clock: runtime.clock,
    timers: runtime.timers,
    log: runtime.log,
  });
}

/** Progress of an executing run, fed by its events, shown in both places. */
export interface RunProgress {
  readonly statusComment: StatusComment | null;
  readonly checkRun: CheckRun;
  /** Pass as the runtime's `onEvent`. */
  readonly onEvent: (event: RunEvent) => void;
  snapshot(): ProgressSnapshot;
  /** Links known so far (the command, the check run, and what `extra` adds). */
  links(extra?: ProgressLinks): ProgressLinks;
  /** Render options for the final views. */
  renderOptions(notes: string[], extra?: ProgressLinks): RenderProgressOptions;
  /** Waits until every event is stored. */
  drain(): Promise<void>;
  /** The run's views no longer take a share of its installation's progress edits (`progress-pacing.ts`). */
  close(): void;
}

export interface RunProgressOptions {
  github: GitHubClient;
  run: RunRecord;
  runtime: AppRuntime;
  estimate: ReportEstimate | null;
  /** What the run spent before its script (the planner), counted in every total the surfaces show. */
  spentBefore?: Spend | null;
  /** The command comment, linked from both views. */
  commandUrl: string | undefined;
  log: Logger;
}

/** Starts following a run's progress; writes happen as events arrive (throttled). */
export async function openRunProgress(options: RunProgressOptions): Promise<RunProgress> {
  const { github, run, runtime, estimate, commandUrl, log } = options;
  // Progress edits of every run of the installation share its writes with what cannot wait.
  const paced = runtime.progressPacing.open(run.installationId);
  const statusComment = await openStatusComment(github, run, runtime, paced.intervalMs).catch((error: unknown) => {
    paced.close();
    throw error;
  });
  const checkRun = createCheckRun({
    octokit: github,
    owner: run.owner,
    repo: run.repo,
    headSha: run.baseSha ?? "",
    runId: run.id,
    // "Details" opens the run's dashboard page when there is one, else the conversation, where the status comment is.
    ...(runtime.dashboardUrl ? { detailsUrl: runtime.dashboardUrl(run.id) } : commandUrl !== undefined ? { detailsUrl: commandUrl } : {}),
    minIntervalMs: paced.intervalMs,
    clock: runtime.clock,
    timers: runtime.timers,
    log,
  });
  const tracker = createProgressTracker({ clock: runtime.clock, startedAt: await firstStartOf(run, runtime, log) });
  // The surfaces show the run's total, the planner included, as the report does.
  const snapshot = (): ProgressSnapshot => {
    const tracked = tracker.snapshot();
    const { usage, costUsd } = totalSpend([{ usage: tracked.usage, costUsd: tracked.costUsd }, options.spentBefore]);
    return { ...tracked, usage, costUsd };
  };
  // Events are stored in order (for `/dynflow status`), those that come during a write in the next one; a failed write is logged, never fatal.
  const stored = appendEventsInOrder(runtime.store.events, run.id, (error) => log.warn({ err: error }, "could not store run events"));

  const links = (extra: ProgressLinks = {}): ProgressLinks => {
    const found: ProgressLinks = { ...extra };
    if (runtime.dashboardUrl) found.dashboardUrl ??= runtime.dashboardUrl(run.id);
    if (commandUrl !== undefined) found.commentUrl ??= commandUrl;
    if (checkRun.current?.url) found.checkRunUrl ??= checkRun.current.url;
    return found;
  };
  const renderOptions = (notes: string[], extra?: ProgressLinks): RenderProgressOptions => ({ runId: run.id, estimate, links: links(extra), notes });
  const show = (current: ProgressSnapshot): void => {
    statusComment?.update(renderStatusComment(current, renderOptions([])));
    checkRun.update(renderCheckRunSummary(current, renderOptions([])));
  };
  /** Set once the script has ended: the timer that shows "publishing" (true when shown at once). */
  let publishingNotice: unknown = null;

  return {
    statusComment,
    checkRun,
    onEvent(event) {
      tracker.apply(event);
      stored.add(event);
      const current = snapshot();
      if (current.status === "pending" || current.status === "running") return show(current);
      // The script has ended: what comes next is the push and the pull request, which must not wait behind
      // a progress edit in the installation's write throttle (GitHub writes at least a second apart).
      // Pending edits are dropped; "publishing" is shown only if the run has not ended after a while.
      if (publishingNotice !== null) return;
      statusComment?.dropPending();
      checkRun.dropPending();
      const noticeMs = runtime.publishingNoticeMs ?? PUBLISHING_NOTICE_MS;
      if (noticeMs <= 0) {
        publishingNotice = true;
        return show(publishing(current));
      }
      // Updates after the run's end (its final writes close both throttles) are ignored.
      publishingNotice = (runtime.timers ?? realTimers).setTimeout(() => show(publishing(snapshot())), noticeMs);
      (publishingNotice as { unref?: () => void }).unref?.();
    },
    snapshot,
    links,
    renderOptions,
    drain: () => stored.written(),
    close: () => paced.close(),
  };
}

/**
 * While the run goes, its views never show an end: once the script has
 * finished, the push and the pull request are still to come, and only the
 * run's end (`endRun`) says finished or failed.
 */
function publishing(snapshot: ProgressSnapshot): ProgressSnapshot {
  if (snapshot.status === "pending" || snapshot.status === "running") return snapshot;
  return { ...snapshot, status: "running", currentPhase: PUBLISHING_PHASE, error: null };
}

/** How long after the script's end the views say "publishing" when the run has not ended by then. */
export const PUBLISHING_NOTICE_MS = 3_000;

/** The phase shown between the script's end and the run's end. */
export const PUBLISHING_PHASE = "publishing: pushing branches, opening the pull request";

/** When the run's first execution started (its first stored event), so a run executed again shows its whole elapsed time. */
async function firstStartOf(run: RunRecord, runtime: AppRuntime, log: Logger): Promise<number | null> {
  try {
    const [first] = await runtime.store.events.list(run.id, { limit: 1 });
    return first?.event.type === "run.started" ? first.event.at : null;
  } catch (error) {
    log.warn({ err: error }, "could not read when the run first started; elapsed time counts from this execution");
    return null;
  }
}
