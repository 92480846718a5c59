/**
 * The `closed` step of a run whose consolidated pull request was closed
 * (merged or not), queued by the webhook and, for a cleanup still pending,
 * at every start. Under the run's lease, like every step:
 *
 * 1. the run's CI wait, if it still waits, ends cancelled (the webhook has
 *    usually done so already), and the CI section of the status comment, the
 *    check run and the pull request body says why;
 * 2. the run's worker branches on the remote (`dynflow/<run-id>-work/...`,
 *    and those of its CI repair rounds, `dynflow/<run-id>-ci<N>-work/...`),
 *    whoever pushed them, are deleted with one `git push`. The result branch
 *    `dynflow/<run-id>` stays: the pull request can be reopened, and GitHub's
 *    "automatically delete head branches" setting is the repository's call.
 *
 * Idempotent: a redelivered webhook finds nothing left to delete. A cleanup
 * that could not reach GitHub stays pending, for the next start or webhook;
 * one GitHub answers for good that it cannot be done (the installation or
 * the repository is gone: 404, 410) is given up, logged, so it is not tried
 * again at every start forever.
 */
import type { Logger } from "pino";
import type { GitHubClient } from "../../github/github-client.js";
import { getInstallationToken } from "../../github/installation-token.js";
import type { CiWait, RunRecord } from "../../store/index.js";
import { deleteRemoteBranches } from "../../workspace/index.js";
import { cancelCiWait } from "../ci/cancel-ci-wait.js";
import { viewOf } from "../ci/ci-wait-view.js";
import { showCiState } from "../ci/show-ci-state.js";
import type { AppRuntime } from "../services/types.js";

/** Why a CI wait ended when its pull request closed, as the CI section says it. */
export const PR_CLOSED_NOTE = "the pull request was closed.";

/** Cleans up after the run's closed pull request; never throws for GitHub's or git's failures (logged; the cleanup stays pending). */
export async function processClosedStep(runId: string, runtime: AppRuntime): Promise<void> {
  const log = runtime.log.child({ runId, step: "closed" });
  const cleanup = await runtime.store.branchCleanups.pending(runId);
  if (cleanup === undefined) return;
  const run = await runtime.store.runs.get(runId);
  if (run === undefined) return runtime.store.branchCleanups.complete(cleanup);
  try {
    const github = await runtime.github(run.installationId);
    const wait = (await cancelCiWait(runtime.store, runId, PR_CLOSED_NOTE)) ?? (await runtime.store.ciWaits.get(runId));
    if (wait !== undefined && endedByClose(wait)) await showCiState(github, run, wait, log);
    await deleteWorkerBranches(run, runtime, github, log);
  } catch (error) {
    if (!gone(error)) {
      log.warn({ err: error }, "could not clean up after the closed pull request; it is tried again at the next start or close");
      return;
    }
    log.warn({ err: error }, "the closed pull request's installation or repository is gone: its cleanup is given up");
  }
  await runtime.store.branchCleanups.complete(cleanup);
}

/** Whether GitHub said the installation or the repository no longer exists (nothing left to clean up through it). */
function gone(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return status === 404 || status === 410;
}

/** Whether the wait ended because its pull request closed (by this step or by the webhook). */
function endedByClose(wait: CiWait): boolean {
  if (wait.state !== "cancelled") return false;
  const last = viewOf(wait).history.at(-1);
  return last?.outcome === "cancelled" && last.note === PR_CLOSED_NOTE;
}

async function deleteWorkerBranches(run: RunRecord, runtime: AppRuntime, github: GitHubClient, log: Logger): Promise<void> {
  const credentials = await getInstallationToken(github, { clock: runtime.clock });
  const { data } = await github.rest.repos.get({ owner: run.owner, repo: run.repo });
  const deleted = await deleteRemoteBranches({ remoteUrl: data.clone_url, token: credentials.token, select: isWorkerBranchOf(run.id), env: runtime.gitEnv, log });
  log.info({ deleted: deleted.length }, "pull request closed: the run's worker branches are deleted");
}

/** Selects the worker branches of run `runId` and of its CI repair rounds, never the result branch. Pure. */
export function isWorkerBranchOf(runId: string): (branch: string) => boolean {
  const prefix = `dynflow/${runId}-`;
  return (branch) => branch.startsWith(prefix) && /^(ci[0-9]+-)?work\//.test(branch.slice(prefix.length));
}
