/**
 * Reactions on the command comment: 👀 when it is received, 🚀 when the run
 * succeeded, 😕 when it failed. Decoration only: a reaction that cannot be
 * added is logged and the run goes on.
 */
import type { Logger } from "pino";
import { requestFailure, type GitHubClient } from "./github-client.js";

/** The moments dynflow reacts at. */
export type ReactionMoment = "received" | "succeeded" | "failed";

/** The reaction shown for each moment. */
export const REACTIONS = { received: "eyes", succeeded: "rocket", failed: "confused" } as const satisfies Record<ReactionMoment, string>;

export interface ReactOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** The issue comment that holds the command. */
  commentId: number;
  moment: ReactionMoment;
  log?: Logger;
}

/** Adds the moment's reaction to the comment. Resolves false (never rejects) when GitHub refused or failed. */
export async function reactToComment(options: ReactOptions): Promise<boolean> {
  const { octokit, owner, repo, commentId, moment, log } = options;
  const content = REACTIONS[moment];
  try {
    await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: commentId, content });
    return true;
  } catch (error) {
    log?.warn({ commentId, content, ...requestFailure(error) }, "could not add a reaction; going on without it");
    return false;
  }
}
