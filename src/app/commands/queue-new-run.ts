/**
 * The last step of starting a run: queue its planning. Nothing is written to
 * GitHub here: the webhook is answered as soon as the run is recorded and
 * queued, and the queued step acknowledges it (`plan/acknowledge-run.ts`:
 * the 👀 reaction and the "planning" status comment) under the
 * installation's own write limit.
 *
 * The run is recorded before this, so a queue that cannot take the step now
 * (Redis down or restarting) loses nothing: the command is kept as a `queued`
 * run, and recovery queues it once Redis is back (`steps/recover-runs.ts`,
 * run again on every reconnect) or when a process starts. The webhook is then
 * answered without waiting for Redis longer than `QUEUE_WAIT_MS`.
 */
import type { Logger } from "pino";
import type { RunRecord } from "../../store/index.js";
import { backgroundTimers, type Timers } from "../../time.js";
import type { AppRuntime } from "../services/types.js";

/** How long a new run waits for the queue before it is left to recovery. */
export const QUEUE_WAIT_MS = 5_000;

/** Queues the run's planning step, or leaves the recorded run to recovery when the queue cannot take it now. */
export async function queueNewRun(run: RunRecord, runtime: Pick<AppRuntime, "queue"> & { timers?: Timers | undefined }, log: Logger): Promise<void> {
  const timers = runtime.timers ?? backgroundTimers;
  let timer: unknown;
  const waited = new Promise<"waited">((resolve) => (timer = timers.setTimeout(() => resolve("waited"), QUEUE_WAIT_MS)));
  const queued = runtime.queue.enqueue({ runId: run.id, step: "plan" }).then(
    () => "queued" as const,
    (error: unknown) => error,
  );
  const outcome = await Promise.race([queued, waited]);
  timers.clearTimeout(timer);
  if (outcome === "queued") {
    log.info({ runId: run.id }, "run queued for planning");
    return;
  }
  // Still pending: it may yet land once Redis is back; recovery's enqueue of the same step is then a no-op.
  const err = outcome === "waited" ? undefined : outcome;
  log.warn({ runId: run.id, err }, "run recorded but the run queue cannot take it now (is Redis down?); it is queued once the queue is back");
}
