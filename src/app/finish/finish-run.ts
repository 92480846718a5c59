/**
 * The end of an executed run, whatever stopped its script: the pull request
 * (opened, or updated when the run was resumed; a draft when anything is
 * unconverged or the run did not finish), the check run completed with the
 * full report, the final status comment, the reaction, and the record.
 */
import { pullRequestTitle } from "./pull-request-title.js";
import { publishPullRequest, type PublishedPullRequest } from "../../github/open-pull-request.js";
import { publishReview } from "../../github/publish-review.js";
import type { WorkflowResult } from "../../run/types.js";
import type { JsonValue } from "../../runtime/types.js";
import type { RunRecord } from "../../store/index.js";
import { toResultJson } from "../run-record/run-result.js";
import { bestEffort, endRun, withReportTotals } from "../surfaces/end-run.js";
import type { ExecutedRun } from "./executed-run.js";
import type { StoredPlan } from "../run-record/stored-plan.js";
import type { CiConfig } from "../../config/ci-config.js";
import { startCiWait, WAITING_FOR_CI, waitingCiSection } from "../ci/start-ci-wait.js";
import { withCiSection } from "../../ci/render-ci-section.js";
import { GITHUB_BODY_LIMIT } from "../../report/render-report.js";

export interface FinishRunOptions extends ExecutedRun {
  /** Branches the push took. */
  pushed: readonly string[];
  /** The repository's `ci:` settings when the run waits for CI (`ciWaitOf`); null or absent: it does not. */
  ci?: CiConfig | null;
}

/**
 * Publishes and reports; throws only when the pull request cannot be
 * published. Resolves whether the run now waits for the repository's CI.
 */
export async function finishRun(options: FinishRunOptions): Promise<{ waitsForCi: boolean }> {
  const { github, run, plan, runtime, progress, log } = options;
  const requester = run.requester ?? undefined;
  const commentUrl = plan.commandUrl;
  // The report was built and rendered once, with the estimate and the links (`reportExtrasOf`).
  const body = options.result.reportMarkdown;
  // With `ci:`, a pushed consolidated branch waits for CI: its pull request is a draft until CI is green.
  const ci = options.ci ?? null;
  const waitsForCi = ci !== null && options.pushed.includes(options.result.branch) && options.result.reconcile.merged.length > 0;
  const result = waitsForCi ? { ...options.result, draft: true, draftReasons: [...options.result.draftReasons, WAITING_FOR_CI] } : options.result;
  // The wait is shown by the run's own last writes, not by an edit of each surface right after them.
  const ciSection = waitsForCi && ci !== null ? waitingCiSection(ci, result.commit) : undefined;

  let pullRequest: PublishedPullRequest | null = null;
  if (options.pushed.includes(result.branch)) {
    pullRequest = await publishPullRequest({
      octokit: github,
      owner: run.owner,
      repo: run.repo,
      base: run.baseRef ?? result.reportModel.base.branch,
      head: result.branch,
      title: titleOf(run, result),
      body,
      draft: result.draft,
      ...(requester ? { requester } : {}),
      ...(commentUrl ? { commentUrl } : {}),
      merged: result.reconcile.merged,
      // A run whose record has no pull request opens one without looking first; GitHub says if one exists.
      mayExist: run.prNumber !== null,
      ...(ciSection !== undefined ? { withSection: (text: string) => withCiSection(text, ciSection, GITHUB_BODY_LIMIT) } : {}),
      log,
    });
  }

  // A review run on a pull request posts its ranked findings there as one review.
  const review = reviewOf(result, plan);
  const posted =
    review === null
      ? null
      : await bestEffort(log, "pull request review", () =>
          publishReview({ octokit: github, owner: run.owner, repo: run.repo, pullNumber: review.pullRequest, runId: run.id, body: review.body, log }),
        );

  const notes = notesOf(pullRequest, result.draftReasons, options.pushed, result);
  if (review !== null) notes.push(posted ? `Posted the review on #${review.pullRequest}: ${posted.url}` : `Could not post the review on #${review.pullRequest}; the check run has the report.`);
  await endRun({ github, run, runtime, log }, progress, {
    status: result.outcome.status,
    // The check run judges the run itself; CI has its own checks.
    draft: options.result.draft,
    notes,
    links: pullRequest ? { pullRequestUrl: pullRequest.url } : {},
    report: body,
    ...(ciSection !== undefined && pullRequest !== null ? { ciSection } : {}),
    // The status comment and the check run end on the report's total (planner and resolvers included).
    snapshot: (tracked) => withReportTotals(tracked, result),
    record: {
      error: result.outcome.error,
      prNumber: pullRequest?.number ?? run.prNumber,
      result: resultJson(result, options.pushed, pullRequest, result.reportModel.totals),
    },
  });
  log.info({ status: result.outcome.status, pullRequest: pullRequest?.number ?? null, pushed: options.pushed.length }, "run finished on GitHub");
  if (!waitsForCi || ci === null || pullRequest === null) return { waitsForCi: false };
  await startCiWait({ runtime, run, ci, branch: result.branch, headSha: result.commit, pullRequest, readyWhenGreen: !options.result.draft, log });
  return { waitsForCi: true };
}

/** The review to post: a finished run on a pull request whose result is a review (`{ findings, body }`). */
function reviewOf(result: WorkflowResult, plan: StoredPlan): { pullRequest: number; body: string } | null {
  const value = result.outcome.result;
  if (plan.pullRequest === undefined || result.outcome.status !== "ok") return null;
  if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
  if (!Array.isArray(value.findings) || typeof value.body !== "string" || value.body.trim() === "") return null;
  return { pullRequest: plan.pullRequest, body: value.body };
}

function titleOf(run: RunRecord, result: WorkflowResult): string {
  return pullRequestTitle(run, result.outcome.meta?.name ?? null);
}

/** Closing lines of the status comment and the check run summary (dynflow's own words). */
function notesOf(pullRequest: PublishedPullRequest | null, draftReasons: string[], pushed: readonly string[], result: WorkflowResult): string[] {
  const notes: string[] = [];
  if (pullRequest !== null) {
    const verb = pullRequest.created ? "Opened" : "Updated";
    const draft = pullRequest.draft && draftReasons.length > 0 ? ` as a draft: ${draftReasons.join("; ")}` : "";
    notes.push(`${verb} pull request #${pullRequest.number}${draft}.`);
  } else {
    notes.push("Nothing was merged, so no pull request was opened; the check run has the full report.");
  }
  const workers = pushed.filter((branch) => branch !== result.branch).length;
  if (workers > 0) notes.push(`Pushed ${workers} worker branch${workers === 1 ? "" : "es"} (\`${result.branch}-work/…\`) for review.`);
  return notes;
}

function resultJson(
  result: WorkflowResult,
  pushed: readonly string[],
  pullRequest: PublishedPullRequest | null,
  totals: { agents: number; costUsd: number },
): JsonValue {
  return toResultJson({
    branch: result.branch,
    commit: result.commit,
    merged: [...result.reconcile.merged],
    pushed: [...pushed],
    pullRequest: pullRequest === null ? null : { number: pullRequest.number, url: pullRequest.url, draft: pullRequest.draft },
    agents: totals.agents,
    costUsd: totals.costUsd,
  });
}
