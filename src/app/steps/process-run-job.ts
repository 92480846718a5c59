/**
 * How the run queue's jobs are done. Each job first takes the run's lease
 * for itself (see `run-lease.ts`), so no two steps ever work on the same run,
 * in one process or in several; while the job runs, the lease is renewed and
 * the record is watched, so a
 * `/dynflow cancel` handled by another process (which can only mark the run
 * cancelled in the store) stops it here too.
 */
import { backgroundTimers } from "../../time.js";
import { processCiStep } from "../ci/process-ci-step.js";
import { processClosedStep } from "../closed/process-closed-step.js";
import { executeRun } from "../execute/execute-run.js";
import { planRun } from "../plan/plan-run.js";
import type { RunJob, RunJobProcessor } from "../../queue/runs/run-queue.js";
import type { AppRuntime } from "../services/types.js";
import { localProcess, newStepHolder, RUN_LEASE_TTL_MS, runLeaseName, takeRunLease } from "./run-lease.js";

export { RUN_LEASE_TTL_MS } from "./run-lease.js";
/** How often the lease is renewed and the record checked for a cancel. */
export const RUN_WATCH_INTERVAL_MS = 15_000;

/** The processor to `start` the run queue with. */
export function createRunJobProcessor(runtime: AppRuntime): RunJobProcessor {
  return async (job: RunJob) => {
    const holder = newStepHolder(runtime.processId);
    const log = runtime.log.child({ runId: job.runId, step: job.step });
    if (!(await takeRunLease(runtime.store.leases, job.runId, holder, localProcess(runtime.processId)))) {
      log.info("another step holds this run; leaving it to that step");
      return "held-elsewhere";
    }
    const watch = watchRun(job.runId, holder, runtime);
    try {
      if (job.step === "plan") {
        if ((await planRun(job.runId, runtime)) === "execute") await executeRun(job.runId, runtime);
      } else if (job.step === "ci") {
        await processCiStep(job.runId, runtime);
      } else if (job.step === "closed") {
        await processClosedStep(job.runId, runtime);
      } else {
        await executeRun(job.runId, runtime);
      }
    } finally {
      watch.stop();
      await runtime.store.leases.release(runLeaseName(job.runId), holder).catch((error: unknown) => log.warn({ err: error }, "could not release the run's lease"));
    }
    return "done";
  };
}

/** Renews the lease and stops the run when it is marked cancelled elsewhere or the lease is lost. */
function watchRun(runId: string, holder: string, runtime: AppRuntime): { stop(): void } {
  const timers = runtime.timers ?? backgroundTimers;
  let timer: unknown = null;
  let stopped = false;
  const tick = async () => {
    const held = await runtime.store.leases.renew(runLeaseName(runId), holder, RUN_LEASE_TTL_MS);
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
