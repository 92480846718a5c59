/**
 * The last step of starting a run: queue its planning. Nothing is written to
 * GitHub here: the webhook is answered as soon as the run is recorded and
 * queued, and the queued step acknowledges it (`plan/acknowledge-run.ts`:
 * the 👀 reaction and the "planning" status comment) under the
 * installation's own write limit.
 *
 * Every command that queues a step (run, plan, audit, approve, resume) has
 * recorded its run as `queued` before, so a queue that cannot take the step
 * now (Redis down or restarting) loses nothing: recovery queues the run once
 * Redis is back (`steps/recover-runs.ts`, run again on every reconnect) or
 * when a process starts. The webhook is then answered without waiting for
 * Redis longer than `QUEUE_WAIT_MS`, well inside GitHub's ten seconds.
 */
import type { Logger } from "pino";
import type { RunJob } from "../../queue/runs/run-queue.js";
import type { RunRecord } from "../../store/index.js";
import { backgroundTimers, type Timers } from "../../time.js";
import type { AppRuntime } from "../services/types.js";

/** How long a command waits for the run queue before it leaves its recorded run to recovery. */
export const QUEUE_WAIT_MS = 5_000;

type QueueRuntime = Pick<AppRuntime, "queue"> & { timers?: Timers | undefined };

/**
 * Queues a step of a run recorded as `queued`: `true` when added, `false` when
 * the same step was already queued, `later` when the queue could not take it
 * now and recovery will.
 */
export async function queueRecordedStep(runtime: QueueRuntime, job: RunJob, log: Logger): Promise<boolean | "later"> {
  const timers = runtime.timers ?? backgroundTimers;
  let timer: unknown;
  const waited = new Promise<{ kind: "waited" }>((resolve) => (timer = timers.setTimeout(() => resolve({ kind: "waited" }), QUEUE_WAIT_MS)));
  const queued = runtime.queue.enqueue(job).then(
    (added) => ({ kind: "queued" as const, added }),
    (error: unknown) => ({ kind: "failed" as const, error }),
  );
  const outcome = await Promise.race([queued, waited]);
  timers.clearTimeout(timer);
  if (outcome.kind === "queued") return outcome.added;
  // Still pending, it may yet land once Redis is back; recovery's enqueue of the same step is then a no-op.
  log.warn({ ...job, err: outcome.kind === "failed" ? outcome.error : undefined }, "run recorded but the run queue cannot take its step now (is Redis down?); it is queued once the queue is back");
  return "later";
}

/** Queues the run's planning step, or leaves the recorded run to recovery when the queue cannot take it now. */
export async function queueNewRun(run: RunRecord, runtime: QueueRuntime, log: Logger): Promise<void> {
  if ((await queueRecordedStep(runtime, { runId: run.id, step: "plan" }, log)) !== "later") log.info({ runId: run.id }, "run queued for planning");
}
