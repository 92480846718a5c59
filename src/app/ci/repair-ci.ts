/**
 * One CI repair round: the failing checks become a converged change on the
 * consolidated branch, made by the same agents, workspaces, review and
 * reconciliation as any run (a run of its own, `<run-id>-ci<round>`, with
 * its own journal, so a restart mid-repair replays finished agents), then
 * pushed onto the branch as the App, so CI runs again.
 */
import type { Logger } from "pino";
import { REPAIR_SCRIPT, REPAIR_SCRIPT_FILENAME, repairRunId } from "../../ci/repair-script.js";
import { repairTask } from "../../ci/repair-task.js";
import type { FailingCheck } from "../../ci/types.js";
import type { GitHubClient } from "../../github/github-client.js";
import { runWorkflow } from "../../run/run-workflow.js";
import type { RunRecord } from "../../store/index.js";
import { pushBranches } from "../../workspace/index.js";
import { ModelNotConfiguredError } from "../errors.js";
import { createRunRunner, forgetCarriedChanges, restoreCarriedChanges } from "../execute/create-run-runner.js";
import { pricesOf, readRunSettings, workflowSettingsOf } from "../run-record/run-settings.js";
import { withRunRepository } from "../services/open-run-repository.js";
import type { AppRuntime } from "../services/types.js";
import type { CiWaitView } from "./ci-wait-view.js";

export type RepairOutcome = { kind: "pushed"; headSha: string } | { kind: "unchanged"; note: string };

export interface RepairCiOptions {
  runtime: AppRuntime;
  github: GitHubClient;
  run: RunRecord;
  view: CiWaitView;
  failing: readonly FailingCheck[];
  signal: AbortSignal;
  log: Logger;
}

/** Runs repair round `view.wait.round + 1`; throws what git or the model client throw. */
export async function repairCi(options: RepairCiOptions): Promise<RepairOutcome> {
  const { runtime, github, run, view, signal, log } = options;
  const { wait } = view;
  if (runtime.createModel === null) throw new ModelNotConfiguredError();
  const round = wait.round + 1;
  const runId = repairRunId(run.id, round);
  const settings = readRunSettings(run.limits, runtime.caps);
  const model = runtime.createModel({ prices: pricesOf(settings.config, runtime.prices) });
  const author = await runtime.botIdentity(github);
  // The clone is synced at the branch's head: the commit CI judged is the repair's base.
  const changes = runtime.store.changeObjects;
  const outcome = await withRunRepository({ github, run: { ...run, baseSha: wait.headSha }, runtime, signal, log }, async (open): Promise<RepairOutcome> => {
    if (runtime.agents) await restoreCarriedChanges({ placement: runtime.agents, open, gitEnv: runtime.gitEnv, log, changes, runId, baseCommit: wait.headSha });
    const result = await runWorkflow({
      repository: open.repository,
      repositoryName: `${run.owner}/${run.repo}`,
      baseCommit: wait.headSha,
      baseLabel: wait.branch,
      task: `Make the repository's failing CI checks pass on ${wait.branch}`,
      script: { source: REPAIR_SCRIPT, filename: REPAIR_SCRIPT_FILENAME },
      args: { task: repairTask({ round, headSha: wait.headSha, failing: options.failing }) },
      model,
      settings: workflowSettingsOf(settings, runtime.prices),
      runId,
      author,
      clock: runtime.clock,
      log,
      journal: runtime.store.journal(runId),
      signal,
      gitEnv: runtime.gitEnv,
      ...(runtime.transcripts ? { transcripts: runtime.transcripts } : {}),
      ...(runtime.agents ? { createRunner: createRunRunner({ placement: runtime.agents, run, open, gitEnv: runtime.gitEnv, changes, log }) } : {}),
    });
    if (result.reconcile.merged.length === 0 || result.commit === wait.headSha) {
      const why = result.outcome.error?.message ?? `the repair ended ${result.outcome.status} with no accepted change`;
      return { kind: "unchanged", note: `Repair round ${round} changed nothing: ${why}.` };
    }
    // A fast-forward only: a branch someone moved meanwhile is refused, never overwritten.
    await pushBranches({
      repoDir: open.repository.gitDir,
      remoteUrl: open.cloneUrl,
      token: await open.freshToken(),
      refspecs: [`${result.commit}:refs/heads/${wait.branch}`],
      env: runtime.gitEnv,
      log,
    });
    log.info({ round, from: wait.headSha, to: result.commit }, "CI repair pushed");
    return { kind: "pushed", headSha: result.commit };
  });
  // The round is over: its result is pushed, or there is none, and its worker branches stay in this clone only.
  await forgetCarriedChanges({ placement: runtime.agents, changes, runId, log });
  return outcome;
}
