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

const TO_READY = `mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }`;

/** Writes the wait's state everywhere; `now` says what is happening while it waits (e.g. a repair). */
export async function showCiState(github: GitHubClient, run: RunRecord, wait: CiWait, log: Logger, now?: string): Promise<void> {
  const { settings, history } = viewOf(wait);
  const section = renderCiSection({ state: wait.state, round: wait.round, repairRounds: settings.repairRounds, headSha: wait.headSha, history, ...(now !== undefined ? { now } : {}) });
  const { owner, repo } = run;
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
  if (wait.prNumber !== null) {
    const number = wait.prNumber;
    await bestEffort(log, "pull request", async () => {
      const { data } = await github.rest.pulls.get({ owner, repo, pull_number: number });
      await github.rest.pulls.update({ owner, repo, pull_number: number, body: withCiSection(data.body ?? "", section, GITHUB_BODY_LIMIT) });
    });
  }
}

/** Marks the pull request ready for review (CI is green and the run left nothing unconverged). */
export async function markReady(github: GitHubClient, wait: CiWait, log: Logger): Promise<boolean> {
  if (wait.prNodeId === null) return false;
  const nodeId = wait.prNodeId;
  const done = await bestEffort(log, "pull request's draft state", async () => {
    await github.graphql(TO_READY, { id: nodeId });
    return true;
  });
  if (done) log.info({ pullRequest: wait.prNumber }, "CI is green: pull request ready for review");
  return done === true;
}
