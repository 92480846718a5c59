/**
 * After a restart, puts the runs that were queued or running back in the
 * queue: planning again when they had no plan yet, executing otherwise (the
 * journal replays every agent that finished, at no cost). A run whose
 * record cannot be read is skipped with a log line naming it: one damaged row
 * must not keep every other run from coming back.
 */
import { nextStepOf } from "../run-record/stored-plan.js";
import type { AppRuntime } from "../services/types.js";

/** Re-queues unfinished runs; resolves how many were queued. */
export async function recoverRuns(runtime: Pick<AppRuntime, "store" | "queue" | "log">): Promise<number> {
  const ids = await runtime.store.runs.listIdsByStatus(["queued", "running"]);
  let queued = 0;
  let skipped = 0;
  for (const runId of ids) {
    try {
      const run = await runtime.store.runs.get(runId);
      if (run === undefined) continue;
      const step = nextStepOf(run);
      if (await runtime.queue.enqueue({ runId: run.id, step })) queued++;
    } catch (error) {
      skipped++;
      runtime.log.error({ runId, err: error }, "run record could not be read; skipped by restart recovery (fix or delete the row, then /dynflow resume)");
    }
  }
  if (ids.length > 0) runtime.log.info({ runs: ids.length, queued, skipped }, "unfinished runs queued again after a restart");
  return queued;
}
