/**
 * Where a run starts from. On an issue: the head of the default branch, and
 * the pull request goes into the default branch. On a pull request: the
 * pull request's head commit, and the run's pull request goes into its head
 * branch (so it stacks on the pull request it was asked on); when that head
 * lives in a fork, which the app cannot push to, into the pull request's base.
 */
import type { GitHubClient } from "../../github/github-client.js";

export interface RunBase {
  /** The branch the run's pull request merges into. */
  ref: string;
  /** The commit the run works from. */
  sha: string;
  /**
   * Where files that steer agents (agent definitions, `workflow({ scriptPath })`
   * scripts) are read: the base commit when it is the repository's own, the
   * default branch when it is a fork's, whose contents are never trusted.
   */
  trustedRef: string;
}

export interface ResolveBaseOptions {
  owner: string;
  repo: string;
  issueNumber: number;
  isPullRequest: boolean;
  defaultBranch: string;
}

/** Asks GitHub for the base: one request either way. */
export async function resolveBase(github: GitHubClient, options: ResolveBaseOptions): Promise<RunBase> {
  const { owner, repo } = options;
  if (options.isPullRequest) {
    const { data } = await github.rest.pulls.get({ owner, repo, pull_number: options.issueNumber });
    const sameRepository = data.head.repo?.full_name?.toLowerCase() === `${owner}/${repo}`.toLowerCase();
    return { ref: sameRepository ? data.head.ref : data.base.ref, sha: data.head.sha, trustedRef: sameRepository ? data.head.sha : options.defaultBranch };
  }
  const { data } = await github.rest.repos.getBranch({ owner, repo, branch: options.defaultBranch });
  return { ref: options.defaultBranch, sha: data.commit.sha, trustedRef: data.commit.sha };
}
