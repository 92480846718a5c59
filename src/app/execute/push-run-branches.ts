/**
 * Pushes what a run produced with ONE `git push`: every worker branch that
 * holds a change (refuted rounds too, so reviewers can look at them) and the
 * result branch `dynflow/<run-id>` when anything was merged into it.
 */
import type { Logger } from "pino";
import type { WorkflowResult } from "../../run/types.js";
import { listRemoteBranches, pushBranches, type GitRepository, type PushedRef } from "../../workspace/index.js";

/** The branches to push, worker branches sorted, the result branch last. Pure. */
export function runBranches(result: Pick<WorkflowResult, "outcome" | "branch" | "reconcile">): string[] {
  const workers = new Set<string>();
  for (const agent of result.outcome.agents) if (agent.change?.branch) workers.add(agent.change.branch);
  const branches = [...workers].sort();
  if (result.reconcile.merged.length > 0) branches.push(result.branch);
  return branches;
}

/** Force-pushing refspecs: a resumed run rewrites its own branches, and only its own. Pure. */
export function refspecsOf(branches: readonly string[]): string[] {
  return branches.map((branch) => `+refs/heads/${branch}:refs/heads/${branch}`);
}

export interface PushRunBranchesOptions {
  repository: GitRepository;
  remoteUrl: string;
  token: string;
  branches: readonly string[];
  env?: NodeJS.ProcessEnv;
  log?: Logger;
}

/**
 * Pushes the branches that exist in the clone and returns what the remote
 * now has: those, and those missing here (journaled by an earlier attempt on
 * another machine, or pushed by the workers that made them) that the remote
 * already holds, so the count a run reports is the real one.
 */
export async function pushRunBranches(options: PushRunBranchesOptions): Promise<{ pushed: string[]; results: PushedRef[] }> {
  const present: string[] = [];
  const missing: string[] = [];
  for (const branch of options.branches) {
    const exists = await options.repository.resolveCommit(`refs/heads/${branch}`).then(
      () => true,
      () => false,
    );
    (exists ? present : missing).push(branch);
  }
  // Deliberately no abort signal: a cancelled run still pushes what finished.
  const results = await pushBranches({
    repoDir: options.repository.gitDir,
    remoteUrl: options.remoteUrl,
    token: options.token,
    refspecs: refspecsOf(present),
    env: options.env,
    log: options.log,
    objects: options.repository,
  });
  const remote = await remoteHas(options, missing);
  for (const branch of missing) if (!remote.has(branch)) options.log?.warn({ branch }, "branch is neither in this clone nor on the remote; not pushed");
  const pushed = options.branches.filter((branch) => present.includes(branch) || remote.has(branch));
  return { pushed, results };
}

/** Which `branches` the remote has; none when it cannot say (logged): the count is then a floor. */
async function remoteHas(options: PushRunBranchesOptions, branches: string[]): Promise<Set<string>> {
  if (branches.length === 0) return new Set();
  try {
    return await listRemoteBranches({ repoDir: options.repository.gitDir, remoteUrl: options.remoteUrl, token: options.token, ...(options.env ? { env: options.env } : {}) }, branches);
  } catch (error) {
    options.log?.warn({ err: error }, "could not list the remote's branches; branches missing here are not counted");
    return new Set();
  }
}
