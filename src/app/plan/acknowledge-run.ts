/**
 * The first thing a new run's planning step does: show the requester the
 * command was taken (👀 on the command) and the run's "planning" status
 * comment. Done here, not in the webhook, so that a burst of commands is
 * accepted at the speed of the store and the queue, while GitHub's writes
 * wait their turn under each installation's limit. Best effort: the run
 * goes on without them.
 */
import type { Logger } from "pino";
import type { GitHubClient } from "../../github/github-client.js";
import { reactToComment } from "../../github/reactions.js";
import type { StatusComment } from "../../github/status-comment.js";
import type { RunRecord } from "../../store/index.js";
import { bestEffort, showInStatusComment } from "../surfaces/end-run.js";
import { renderPlanningComment } from "../surfaces/render-run-comments.js";
import type { AppRuntime } from "../services/types.js";

/**
 * Reacts and writes the planning comment into `statusComment` (the planning
 * step's own handle, which then knows the comment), once: a run that has its
 * status comment already was acknowledged.
 */
export async function acknowledgeRun(github: GitHubClient, run: RunRecord, statusComment: StatusComment | null, runtime: AppRuntime, log: Logger): Promise<void> {
  if (run.status !== "queued" || run.statusCommentId !== null) return;
  if (run.commandCommentId !== null) {
    await reactToComment({ octokit: github, owner: run.owner, repo: run.repo, commentId: run.commandCommentId, moment: "received", log });
  }
  const ref = await showInStatusComment(statusComment, renderPlanningComment(run), log);
  if (ref) await bestEffort(log, "run's status comment id", () => runtime.store.runs.update(run.id, { statusCommentId: ref.id }));
}
