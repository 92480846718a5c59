/**
 * The run a command is about: the one it names, or else the latest run of
 * the issue or pull request it is written on. A run of another repository
 * is never found, whatever id is given.
 */
import type { RunRecord, RunStore } from "../../store/index.js";

export type FoundRun = { found: true; run: RunRecord } | { found: false; message: string };

export interface FindRunOptions {
  owner: string;
  repo: string;
  issueNumber: number;
  /** The id the command named, if any. */
  runId?: string | undefined;
}

/** Finds the run, or says in words why there is none. */
export async function findRun(runs: RunStore, options: FindRunOptions): Promise<FoundRun> {
  if (options.runId !== undefined) {
    const id = options.runId.toLowerCase();
    const run = await runs.get(id);
    if (run === undefined || !sameRepository(run, options)) {
      return { found: false, message: `There is no dynflow run \`${id}\` in this repository.` };
    }
    return { found: true, run };
  }
  const run = await runs.latestForIssue({ owner: options.owner, repo: options.repo, issueNumber: options.issueNumber });
  if (run === undefined) {
    return { found: false, message: "No dynflow run was started here yet. Start one with `/dynflow run <task>`, or name a run id." };
  }
  return { found: true, run };
}

function sameRepository(run: RunRecord, where: { owner: string; repo: string }): boolean {
  return run.owner.toLowerCase() === where.owner.toLowerCase() && run.repo.toLowerCase() === where.repo.toLowerCase();
}
