/**
 * After a restart, puts the runs that were queued or running back in the
 * queue: planning again when they had no plan yet, executing otherwise (the
 * journal replays every agent that finished, at no cost).
 */
import { nextStepOf } from "../run-record/stored-plan.js";
import type { AppRuntime } from "../services/types.js";

/** Re-queues unfinished runs; resolves how many were queued. */
export async function recoverRuns(runtime: Pick<AppRuntime, "store" | "queue" | "log">): Promise<number> {
  const runs = await runtime.store.runs.listByStatus(["queued", "running"]);
  let queued = 0;
  for (const run of runs) {
    const step = nextStepOf(run);
    if (await runtime.queue.enqueue({ runId: run.id, step })) queued++;
  }
  if (runs.length > 0) runtime.log.info({ runs: runs.length, queued }, "unfinished runs queued again after a restart");
  return queued;
}
