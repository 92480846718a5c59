/**
 * Pushes what a run produced with ONE `git push`: every worker branch that
 * holds a change (refuted rounds too, so reviewers can look at them) and the
 * result branch `dynflow/<run-id>` when anything was merged into it.
 */
import type { Logger } from "pino";
import type { WorkflowResult } from "../../run/types.js";
import { pushBranches, type GitRepository, type PushedRef } from "../../workspace/index.js";

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
 * Pushes the branches that exist in the clone (a branch journaled by an
 * earlier attempt on another machine may not) and returns what was pushed.
 */
export async function pushRunBranches(options: PushRunBranchesOptions): Promise<{ pushed: string[]; results: PushedRef[] }> {
  const present: string[] = [];
  for (const branch of options.branches) {
    const exists = await options.repository.resolveCommit(`refs/heads/${branch}`).then(
      () => true,
      () => false,
    );
    if (exists) present.push(branch);
    else options.log?.warn({ branch }, "branch is not in this clone; not pushed");
  }
  // Deliberately no abort signal: a cancelled run still pushes what finished.
  const results = await pushBranches({
    repoDir: options.repository.gitDir,
    remoteUrl: options.remoteUrl,
    token: options.token,
    refspecs: refspecsOf(present),
    env: options.env,
    log: options.log,
  });
  return { pushed: present, results };
}
