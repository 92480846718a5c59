/**
 * Where a CI wait shows itself: the CI section at the end of the run's
 * status comment, of its check run's summary and of the pull request body,
 * and the pull request's draft state (ready only once CI is green). Every
 * write is best effort: the wait's record is what counts.
 */
import type { Logger } from "pino";
import type { GitHubClient } from "../../github/github-client.js";
import { renderCiSection, withCiSection } from "../../ci/render-ci-section.js";
import { CHECK_OUTPUT_LIMIT } from "../../progress/fit-text.js";
import { GITHUB_BODY_LIMIT } from "../../report/render-report.js";
import type { CiWait, RunRecord } from "../../store/index.js";
import { bestEffort } from "../surfaces/end-run.js";
import { viewOf } from "./ci-wait-view.js";

/** Ready for review and the new body in one request: GitHub runs a document's mutations one after the other. */
const READY_WITH_BODY = `mutation($id: ID!, $body: String!) {
  markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } }
  updatePullRequest(input: { pullRequestId: $id, body: $body }) { pullRequest { id } }
}`;

export interface ShowCiStateOptions {
  /** What is happening while it waits (e.g. a repair). */
  now?: string;
  /** Also mark the pull request ready for review (CI is green and the run left nothing unconverged). */
  ready?: boolean;
}

/**
 * Writes the wait's state everywhere, the pull request first: when it is
 * made ready, that and its body are one write, done before the other
 * surfaces say CI passed.
 */
export async function showCiState(github: GitHubClient, run: RunRecord, wait: CiWait, log: Logger, options: ShowCiStateOptions = {}): Promise<void> {
  const { settings, history } = viewOf(wait);
  const section = renderCiSection({ state: wait.state, round: wait.round, repairRounds: settings.repairRounds, headSha: wait.headSha, history, ...(options.now !== undefined ? { now: options.now } : {}) });
  const { owner, repo } = run;
  if (wait.prNumber !== null) {
    const number = wait.prNumber;
    const nodeId = options.ready === true ? wait.prNodeId : null;
    await bestEffort(log, "pull request", async () => {
      const { data } = await github.rest.pulls.get({ owner, repo, pull_number: number });
      const body = withCiSection(data.body ?? "", section, GITHUB_BODY_LIMIT);
      if (nodeId === null) {
        await github.rest.pulls.update({ owner, repo, pull_number: number, body });
        return;
      }
      try {
        await github.graphql(READY_WITH_BODY, { id: nodeId, body });
      } catch (error) {
        // The pull request stays a draft; its body still says how CI went.
        log.warn({ err: error, pullRequest: number }, "could not mark the pull request ready for review");
        await github.rest.pulls.update({ owner, repo, pull_number: number, body });
        return;
      }
      log.info({ pullRequest: number }, "CI is green: pull request ready for review");
    });
  }
  if (run.statusCommentId !== null) {
    const id = run.statusCommentId;
    await bestEffort(log, "status comment", async () => {
      const { data } = await github.rest.issues.getComment({ owner, repo, comment_id: id });
      await github.rest.issues.updateComment({ owner, repo, comment_id: id, body: withCiSection(data.body ?? "", section, GITHUB_BODY_LIMIT) });
    });
  }
  if (run.checkRunId !== null) {
    const id = run.checkRunId;
    await bestEffort(log, "check run", async () => {
      const { data } = await github.rest.checks.get({ owner, repo, check_run_id: id });
      const output = data.output;
      await github.rest.checks.update({
        owner,
        repo,
        check_run_id: id,
        output: { title: output.title ?? "dynflow", summary: withCiSection(output.summary ?? "", section, CHECK_OUTPUT_LIMIT), ...(output.text ? { text: output.text } : {}) },
      });
    });
  }
}
