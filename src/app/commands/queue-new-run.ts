/**
 * The last step of starting a run: queue its planning. Nothing is written to
 * GitHub here: the webhook is answered as soon as the run is recorded and
 * queued, and the queued step acknowledges it (`plan/acknowledge-run.ts`:
 * the 👀 reaction and the "planning" status comment) under the
 * installation's own write limit.
 */
import type { Logger } from "pino";
import type { RunRecord } from "../../store/index.js";
import type { AppRuntime } from "../services/types.js";

/** Queues the run's planning step. */
export async function queueNewRun(run: RunRecord, runtime: AppRuntime, log: Logger): Promise<void> {
  await runtime.queue.enqueue({ runId: run.id, step: "plan" });
  log.info({ runId: run.id }, "run queued for planning");
}
