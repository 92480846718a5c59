/**
 * What a verb handler needs to know about the comment that holds the command,
 * taken out of Probot's webhook context once, so the handlers are plain
 * functions of data and a GitHub client.
 */
import type { Context } from "probot";
import type { Logger } from "pino";
import { toGitHubClient, type GitHubClient } from "../../github/github-client.js";

/** The webhook context of a new comment. */
export type CommentContext = Context<"issue_comment.created">;

export interface CommandInput {
  /** The installation's client (`context.octokit`). */
  github: GitHubClient;
  installationId: number;
  owner: string;
  repo: string;
  /** The issue or pull request the comment is on. */
  issueNumber: number;
  /** The comment is on a pull request. */
  isPullRequest: boolean;
  defaultBranch: string;
  comment: { id: number; url: string };
  /** Login of who wrote the command. */
  sender: string;
  log: Logger;
  /** Posts a comment on the same issue or pull request. */
  reply(body: string): Promise<void>;
}

/** Reads the command's facts from the webhook. */
export function toCommandInput(context: CommentContext): CommandInput {
  const { comment, issue, repository, sender, installation } = context.payload;
  const github = toGitHubClient(context.octokit);
  const owner = repository.owner.login;
  const repo = repository.name;
  return {
    github,
    installationId: installation?.id ?? 0,
    owner,
    repo,
    issueNumber: issue.number,
    isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
    defaultBranch: repository.default_branch,
    comment: { id: comment.id, url: comment.html_url },
    sender: sender.login,
    log: context.log,
    reply: async (body) => {
      await github.rest.issues.createComment({ owner, repo, issue_number: issue.number, body });
    },
  };
}
