/**
 * Where a run starts from. On an issue: the head of the default branch, and
 * the pull request goes into the default branch. On a pull request: the
 * pull request's head commit, and the run's pull request goes into its head
 * branch (so it stacks on the pull request it was asked on); when that head
 * lives in a fork, which the app cannot push to, into the pull request's base.
 * A fork's pull request also names the base repository's default branch
 * head: saved workflows and agent definitions are read there, never from
 * the fork's own commits.
 */
import type { GitHubClient } from "../../github/github-client.js";

export interface RunBase {
  /** The branch the run's pull request merges into. */
  ref: string;
  /** The commit the run works from. */
  sha: string;
  /**
   * Where files that steer agents (saved workflows, agent definitions,
   * `workflow({ scriptPath })` scripts) are read: the base commit when it is
   * the repository's own, the default branch's head when it is a fork's,
   * whose contents are never trusted.
   */
  trustedRef: string;
  /** Set when the pull request comes from a fork: `owner/repo` of the fork. */
  fork?: { fullName: string };
}

export interface ResolveBaseOptions {
  owner: string;
  repo: string;
  issueNumber: number;
  isPullRequest: boolean;
  defaultBranch: string;
}

/** Asks GitHub for the base: one request, two for a fork's pull request. */
export async function resolveBase(github: GitHubClient, options: ResolveBaseOptions): Promise<RunBase> {
  const { owner, repo } = options;
  if (options.isPullRequest) {
    const { data } = await github.rest.pulls.get({ owner, repo, pull_number: options.issueNumber });
    const sameRepository = data.head.repo?.full_name?.toLowerCase() === `${owner}/${repo}`.toLowerCase();
    if (sameRepository) return { ref: data.head.ref, sha: data.head.sha, trustedRef: data.head.sha };
    // A deleted fork has no repository any more; it is a fork all the same.
    const fullName = data.head.repo?.full_name ?? "a deleted fork";
    return { ref: data.base.ref, sha: data.head.sha, trustedRef: await defaultHead(github, options), fork: { fullName } };
  }
  const sha = await defaultHead(github, options);
  return { ref: options.defaultBranch, sha, trustedRef: sha };
}

async function defaultHead(github: GitHubClient, options: ResolveBaseOptions): Promise<string> {
  const { data } = await github.rest.repos.getBranch({ owner: options.owner, repo: options.repo, branch: options.defaultBranch });
  return data.commit.sha;
}
