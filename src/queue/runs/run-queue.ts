/**
 * The queue of run steps. A webhook handler only records a run and enqueues
 * a step; the steps (planning, execution) run here, at most
 * `maxConcurrent` at once, so a burst of commands never runs a burst of
 * clones and agents.
 *
 * A job is data only (a run id and a step); everything else is read from the
 * store when the step starts. That keeps the producer (`enqueue`) and the
 * consumer (`start`) apart, so this in-process queue can be replaced by a
 * shared one (e.g. BullMQ on Redis) without touching the handlers.
 */
import pLimit from "p-limit";
import type { Logger } from "pino";

/** What a queued job does: plan the run, execute its plan, or look at the CI of its consolidated branch. */
export type RunStep = "plan" | "execute" | "ci";

/** One unit of work of the run queue. */
export interface RunJob {
  runId: string;
  step: RunStep;
}

/**
 * Does one job. Errors are the processor's to report; the queue only logs what
 * escapes it. `held-elsewhere` means another process works on the run now: a
 * shared queue tries the job again later (its owner may have died), the
 * in-process queue drops it.
 */
export type RunJobProcessor = (job: RunJob) => Promise<void | "done" | "held-elsewhere">;

/** Where run steps wait for a free slot. */
export interface RunQueue {
  /**
   * Adds a job. Resolves `false`, adding nothing, when the same step of the
   * same run is already waiting or running.
   */
  enqueue(job: RunJob): Promise<boolean>;
  /** Starts taking jobs with `processor` (jobs enqueued before wait for it). Call once. */
  start(processor: RunJobProcessor): void;
  /** Drops the run's jobs that have not started; resolves how many were dropped. */
  remove(runId: string): Promise<number>;
  /** Resolves once nothing waits and nothing runs. */
  onIdle(): Promise<void>;
  /** Stops taking jobs; resolves once the running ones have finished. Waiting jobs stay unstarted. */
  close(): Promise<void>;
}

export interface InProcessRunQueueOptions {
  /** Steps running at once (`DYNFLOW_MAX_CONCURRENT_RUNS`), at least 1. */
  maxConcurrent: number;
  log?: Logger;
}

const keyOf = (job: RunJob) => `${job.runId}:${job.step}`;

/**
 * The embedded queue: jobs wait in FIFO order for one of `maxConcurrent`
 * slots of a p-limit limiter. Kept here, as p-limit has none of it: one job
 * per run step (a second enqueue of a waiting or running step is refused),
 * dropping a run's waiting jobs, jobs waiting for `start()`, and `close()`.
 * Runs persist their status, so a restart finds them again.
 */
export function createInProcessRunQueue(options: InProcessRunQueueOptions): RunQueue {
  if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
    throw new RangeError(`run queue: maxConcurrent must be a whole number from 1 up; got ${options.maxConcurrent}`);
  }
  const limit = pLimit(options.maxConcurrent);
  const waiting = new Map<string, RunJob>();
  const active = new Map<string, Promise<void>>();
  let started: (processor: RunJobProcessor) => void = () => {};
  const processorReady = new Promise<RunJobProcessor>((resolve) => (started = resolve));
  let hasProcessor = false;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  const settleIdle = () => {
    if (waiting.size > 0 || active.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** A job's turn in the limiter: run it, unless it was removed (or the queue closed) while it waited. */
  const turn = async (job: RunJob, key: string) => {
    const processor = await processorReady;
    if (waiting.get(key) !== job || closed) return;
    waiting.delete(key);
    const work = processor(job)
      .then(() => undefined)
      .catch((error: unknown) => options.log?.error({ err: error, ...job }, "run step failed outside its own error handling"));
    active.set(key, work);
    await work;
    active.delete(key);
    settleIdle();
  };

  return {
    async enqueue(job) {
      const key = keyOf(job);
      if (active.has(key) || waiting.has(key)) return false;
      const queued = { runId: job.runId, step: job.step };
      waiting.set(key, queued);
      options.log?.info({ ...job, waiting: waiting.size, active: active.size }, "run step queued");
      void limit(() => turn(queued, key));
      return true;
    },
    start(next) {
      if (hasProcessor) throw new Error("run queue: start() was called twice; one queue has one processor");
      hasProcessor = true;
      started(next);
    },
    async remove(runId) {
      let removed = 0;
      for (const [key, job] of waiting) {
        if (job.runId !== runId) continue;
        waiting.delete(key);
        removed++;
      }
      settleIdle();
      return removed;
    },
    onIdle() {
      if (waiting.size === 0 && active.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      await Promise.all(active.values());
    },
  };
}
