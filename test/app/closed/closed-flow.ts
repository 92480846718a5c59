/**
 * What the closed-pull-request tests share: the `pull_request.closed`
 * webhook GitHub sends, and the branches a bare remote holds.
 */
import { deliverWebhook } from "../../durability/app-processes.js";
import { git } from "../../workspace/git-fixture.js";
import { INSTALLATION, REPO_ID, repositoryPayload } from "../ci/ci-flow.js";

export interface ClosedOptions {
  /** The pull request's number. */
  number: number;
  /** Its head branch. */
  head: string;
  /** Id of the head's repository: a fork's differs from the base's. Default: the base's. */
  headRepoId?: number;
  merged?: boolean;
  installationId?: number;
  /** X-GitHub-Delivery: the same id again is a redelivery. */
  delivery: string;
}

/** Sends `pull_request.closed` for a pull request of `repo`; resolves the HTTP status. */
export async function pullRequestClosed(port: number, repo: string, options: ClosedOptions): Promise<number> {
  const repository = repositoryPayload(repo);
  const headRepoId = options.headRepoId ?? REPO_ID;
  const payload = {
    action: "closed",
    number: options.number,
    pull_request: {
      number: options.number,
      state: "closed",
      merged: options.merged ?? false,
      head: { ref: options.head, sha: "0".repeat(40), repo: { ...repository, id: headRepoId, full_name: headRepoId === REPO_ID ? repository.full_name : `someone/${repo}` } },
      base: { ref: "main", sha: "1".repeat(40), repo: repository },
    },
    repository,
    sender: { login: "octocat", id: 583231, type: "User" },
    installation: { id: options.installationId ?? INSTALLATION },
  };
  return deliverWebhook(port, { id: options.delivery, name: "pull_request", payload });
}

/** The remote's branches under `dynflow/`, sorted. */
export async function dynflowBranches(bare: string): Promise<string[]> {
  const out = await git(bare, "for-each-ref", "--format=%(refname:short)", "refs/heads/dynflow/");
  return out === "" ? [] : out.split("\n").sort();
}
