/**
 * How the run queue's jobs are done. Each job first takes the run's lease,
 * so two processes sharing a database never work on the same run; while the
 * job runs, the lease is renewed and the record is watched, so a
 * `/dynflow cancel` handled by another process (which can only mark the run
 * cancelled in the store) stops it here too.
 */
import { backgroundTimers } from "../../time.js";
import { processCiStep } from "../ci/process-ci-step.js";
import { executeRun } from "../execute/execute-run.js";
import { planRun } from "../plan/plan-run.js";
import type { RunJob, RunJobProcessor } from "../../queue/runs/run-queue.js";
import type { AppRuntime } from "../services/types.js";

/** How long a lease lasts without renewal: a crashed owner's runs are free again after this. */
export const RUN_LEASE_TTL_MS = 120_000;
/** How often the lease is renewed and the record checked for a cancel. */
export const RUN_WATCH_INTERVAL_MS = 15_000;


/** The processor to `start` the run queue with. */
export function createRunJobProcessor(runtime: AppRuntime): RunJobProcessor {
  return async (job: RunJob) => {
    const lease = `run:${job.runId}`;
    const log = runtime.log.child({ runId: job.runId, step: job.step });
    if (!(await runtime.store.leases.acquire(lease, runtime.processId, RUN_LEASE_TTL_MS))) {
      log.info("another process holds this run; leaving it to that process");
      return "held-elsewhere";
    }
    const watch = watchRun(job.runId, runtime);
    try {
      if (job.step === "plan") {
        if ((await planRun(job.runId, runtime)) === "execute") await executeRun(job.runId, runtime);
      } else if (job.step === "ci") {
        await processCiStep(job.runId, runtime);
      } else {
        await executeRun(job.runId, runtime);
      }
    } finally {
      watch.stop();
      await runtime.store.leases.release(lease, runtime.processId).catch((error: unknown) => log.warn({ err: error }, "could not release the run's lease"));
    }
    return "done";
  };
}

/** Renews the lease and stops the run when it is marked cancelled elsewhere or the lease is lost. */
function watchRun(runId: string, runtime: AppRuntime): { stop(): void } {
  const timers = runtime.timers ?? backgroundTimers;
  let timer: unknown = null;
  let stopped = false;
  const tick = async () => {
    const held = await runtime.store.leases.renew(`run:${runId}`, runtime.processId, RUN_LEASE_TTL_MS);
    if (!held) runtime.cancels.cancel(runId, "another process took this run over");
    const run = await runtime.store.runs.get(runId);
    if (run?.status === "cancelled") runtime.cancels.cancel(runId, "cancelled");
  };
  const schedule = () => {
    if (stopped) return;
    timer = timers.setTimeout(() => {
      tick()
        .catch((error: unknown) => runtime.log.warn({ err: error, runId }, "could not renew the run's lease"))
        .finally(schedule);
    }, RUN_WATCH_INTERVAL_MS);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
    },
  };
}
