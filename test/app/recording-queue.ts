/** A run queue for handler tests: records what was enqueued, refusing a step already waiting (as the real ones do). */
import type { RunJob, RunQueue } from "../../src/queue/runs/run-queue.js";

export function recordingQueue(): RunQueue & { jobs: RunJob[] } {
  const jobs: RunJob[] = [];
  return {
    jobs,
    enqueue: async (job) => {
      if (jobs.some((j) => j.runId === job.runId && j.step === job.step)) return false;
      jobs.push(job);
      return true;
    },
    start: () => {},
    remove: async () => 0,
    onIdle: async () => {},
    close: async () => {},
  };
}
