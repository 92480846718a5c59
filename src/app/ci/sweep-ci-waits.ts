/**
 * The CI waits' clock: at start, every wait's CI step is queued (webhooks
 * sent while no process ran are not lost: the step reads the checks as they
 * are); then, every interval, the steps of waits whose deadline has passed,
 * so a timeout is noticed without a process waiting for it. Queuing is
 * idempotent (one job per run step), so every process may sweep.
 */
import type { Logger } from "pino";
import type { RunQueue } from "../../queue/runs/run-queue.js";
import type { Store } from "../../store/index.js";
import { backgroundTimers, repeatEvery, type Clock, type Repeating, type Timers } from "../../time.js";

/** How often deadlines are looked at unless configured otherwise. */
export const DEFAULT_CI_SWEEP_MS = 30_000;

export interface CiSweepOptions {
  store: Store;
  queue: RunQueue;
  clock: Clock;
  intervalMs?: number;
  timers?: Timers;
  log: Logger;
}

/** Queues what is due once; resolves how many steps were queued. */
export async function sweepCiWaits(options: Pick<CiSweepOptions, "store" | "queue">, dueBy?: number): Promise<number> {
  const runIds = await options.store.ciWaits.listWaiting(dueBy === undefined ? {} : { dueBy });
  let queued = 0;
  for (const runId of runIds) if (await options.queue.enqueue({ runId, step: "ci" })) queued++;
  return queued;
}

/** Starts sweeping: everything now, then what is due every interval. */
export function startCiSweep(options: CiSweepOptions): Repeating {
  const { log } = options;
  sweepCiWaits(options)
    .then((queued) => queued > 0 && log.info({ queued }, "CI waits looked at again after a start"))
    .catch((error: unknown) => log.error({ err: error }, "could not queue the CI waits"));
  return repeatEvery(
    options.intervalMs ?? DEFAULT_CI_SWEEP_MS,
    () => {
      sweepCiWaits(options, options.clock.now()).catch((error: unknown) => log.warn({ err: error }, "could not look for CI waits past their deadline"));
    },
    options.timers ?? backgroundTimers,
  );
}
