/**
 * After a restart (of a process, or of Redis without persistence: the web
 * process runs this again each time the run queue's Redis connection comes
 * back), puts the runs that were queued or running back in the queue: planning again when they had no plan yet, executing otherwise (the
 * journal replays every agent that finished, at no cost). A run whose
 * record cannot be read is skipped with a log line naming it: one damaged row
 * must not keep every other run from coming back.
 *
 * Idempotent, whoever runs it and however often (the web process and every
 * worker run it when they start, the web process again on every Redis reconnect): a run whose lease a live step holds is
 * left to that step (its `plan` step may be executing it), and a step already
 * queued is not queued twice. Should that step's process die, its queued job
 * comes back to the queue and takes the run over once the lease is free.
 *
 * Runs whose pull request closed and whose cleanup has not finished get
 * their `closed` step again too (a step held elsewhere waits for the lease).
 */
import { nextStepOf } from "../run-record/stored-plan.js";
import type { AppRuntime } from "../services/types.js";
import { localProcess, runIsHeld } from "./run-lease.js";

/** Re-queues unfinished runs; resolves how many were queued. */
export async function recoverRuns(runtime: Pick<AppRuntime, "store" | "queue" | "log" | "processId">): Promise<number> {
  const ids = await runtime.store.runs.listIdsByStatus(["queued", "running"]);
  const self = localProcess(runtime.processId);
  let queued = 0;
  let skipped = 0;
  let held = 0;
  for (const runId of ids) {
    try {
      if (await runIsHeld(runtime.store.leases, runId, self)) {
        held++;
        continue;
      }
      const run = await runtime.store.runs.get(runId);
      if (run === undefined) continue;
      const step = nextStepOf(run);
      if (await runtime.queue.enqueue({ runId: run.id, step })) queued++;
    } catch (error) {
      skipped++;
      runtime.log.error({ runId, err: error }, "run record could not be read; skipped by restart recovery (fix or delete the row, then /dynflow resume)");
    }
  }
  if (ids.length > 0) runtime.log.info({ runs: ids.length, queued, held, skipped }, "unfinished runs queued again after a restart");
  return queued + (await queuePendingCleanups(runtime));
}

/** Queues the `closed` step of every run whose pull request closed and whose cleanup has not finished. */
async function queuePendingCleanups(runtime: Pick<AppRuntime, "store" | "queue" | "log">): Promise<number> {
  const ids = await runtime.store.branchCleanups.listPending();
  let queued = 0;
  for (const runId of ids) if (await runtime.queue.enqueue({ runId, step: "closed" })) queued++;
  if (ids.length > 0) runtime.log.info({ runs: ids.length, queued }, "cleanups after closed pull requests queued again after a restart");
  return queued;
}
