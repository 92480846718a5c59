/**
 * `pull_request.closed` (merged or not) on a run's consolidated pull request:
 * the run's CI wait ends (cancelled) and its worker branches are to be
 * deleted. The webhook only records that, in the store, and queues the
 * run's `closed` step, which does the GitHub work under the run's lease:
 * nothing is read from GitHub here (a webhook has ten seconds). The run is
 * looked up in the store and must be this repository's and installation's,
 * with this pull request: a branch name alone proves nothing.
 */
import type { Logger } from "pino";
import type { z } from "zod";
import type { RunQueue } from "../../queue/runs/run-queue.js";
import type { RunRecord, Store } from "../../store/index.js";
import { cancelCiWait } from "../ci/cancel-ci-wait.js";
import { WEBHOOK_PAYLOADS } from "../webhook-payload.js";
import { PR_CLOSED_NOTE } from "./process-closed-step.js";

export interface PullRequestClosedDeps {
  store: Store;
  queue: RunQueue;
  log: Logger;
}

type ClosedPayload = z.infer<(typeof WEBHOOK_PAYLOADS)["pull_request.closed"]>;

/** `dynflow/<run-id>` and nothing under it. */
const RESULT_BRANCH = /^dynflow\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})$/;

/** Records the cleanup of the run whose pull request closed and queues its step; resolves the run id, or null when the pull request is none of dynflow's. */
export async function onPullRequestClosed(event: unknown, deps: PullRequestClosedDeps): Promise<string | null> {
  // Checked with `checkPayload` before the call (a 400 when it lacks these parts); parsed here for its types.
  const payload = WEBHOOK_PAYLOADS["pull_request.closed"].parse(event);
  const run = await runOf(payload, deps.store);
  if (run === null) return null;
  const log = deps.log.child({ runId: run.id });
  // Recorded first: should this process die now, the next start finds the cleanup and queues it.
  await deps.store.branchCleanups.request(run.id);
  // Here, not in the step: a repair round holding the run's lease must not go on to another round.
  if ((await cancelCiWait(deps.store, run.id, PR_CLOSED_NOTE)) !== null) log.info("pull request closed: CI wait cancelled");
  await deps.queue.enqueue({ runId: run.id, step: "closed" });
  log.info({ pullRequest: payload.pull_request.number, merged: payload.pull_request.merged === true }, "pull request closed: cleanup queued");
  return run.id;
}

/** The run whose consolidated pull request this is, or null (a fork's, anyone else's, an unknown run). */
async function runOf(payload: ClosedPayload, store: Store): Promise<RunRecord | null> {
  const { pull_request: pull, repository, installation } = payload;
  if (pull.head.repo?.id !== repository.id) return null;
  const runId = RESULT_BRANCH.exec(pull.head.ref)?.[1];
  if (runId === undefined) return null;
  const run = await store.runs.get(runId);
  if (run === undefined || run.installationId !== installation.id || run.prNumber !== pull.number) return null;
  const sameRepo = run.owner.toLowerCase() === repository.owner.login.toLowerCase() && run.repo.toLowerCase() === repository.name.toLowerCase();
  return sameRepo ? run : null;
}
