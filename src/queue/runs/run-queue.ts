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
import { backgroundTimers, type Timers } from "../../time.js";

/**
 * What a queued job does: plan the run, execute its plan, look at the CI of its consolidated branch,
 * or clean up after its pull request closed.
 */
export type RunStep = "plan" | "execute" | "ci" | "closed";

/** One unit of work of the run queue. */
export interface RunJob {
  runId: string;
  step: RunStep;
}

/**
 * Does one job. Errors are the processor's to report; the queue only logs what
 * escapes it. `held-elsewhere` means another step works on the run now: the
 * queue tries the job again later (that step's process may die, and the run
 * is then this job's to take over once its lease is free).
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
  /**
   * Calls `listener` each time the queue's shared store (Redis) can be
   * reached again after its connection was lost: a Redis restart without
   * persistence has lost every step that waited there. Absent on a queue that
   * lives in the process (nothing of it can be lost without the process).
   */
  onReconnect?(listener: () => void): void;
  /** Stops taking jobs; resolves once the running ones have finished. Waiting jobs stay unstarted. */
  close(): Promise<void>;
}

export interface InProcessRunQueueOptions {
  /** Steps running at once (`DYNFLOW_MAX_CONCURRENT_RUNS`), at least 1. */
  maxConcurrent: number;
  /**
   * The longest a step whose run another step holds waits before it tries
   * again: it first waits half a second, then twice as long each time, up to
   * this. Default 30,000 ms.
   */
  retryHeldMs?: number;
  /** Timers of those retries. Default: background timers (they keep no process alive). */
  timers?: Timers;
  log?: Logger;
}

const keyOf = (job: RunJob) => `${job.runId}:${job.step}`;

/**
 * The embedded queue: jobs wait in FIFO order for one of `maxConcurrent`
 * slots of a p-limit limiter. Kept here, as p-limit has none of it: one job
 * per run step (a second enqueue of a waiting or running step is refused),
 * dropping a run's waiting jobs, jobs waiting for `start()`, trying a job
 * again later when another step holds its run, and `close()`. Runs persist
 * their status, so a restart finds them again.
 */
export function createInProcessRunQueue(options: InProcessRunQueueOptions): RunQueue {
  if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
    throw new RangeError(`run queue: maxConcurrent must be a whole number from 1 up; got ${options.maxConcurrent}`);
  }
  const limit = pLimit(options.maxConcurrent);
  const retryHeldMs = options.retryHeldMs ?? 30_000;
  const timers = options.timers ?? backgroundTimers;
  const waiting = new Map<string, RunJob>();
  /** Jobs whose run another step held, waiting to try again; not counted by `onIdle`. */
  const retrying = new Map<string, unknown>();
  /** Tries so far of each job held elsewhere (the holder is usually a step about to end: try soon, then back off). */
  const heldTries = new Map<string, number>();
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
      .then((outcome) => {
        if (outcome === "held-elsewhere") retryLater(job, key);
        else heldTries.delete(key);
      })
      .catch((error: unknown) => options.log?.error({ err: error, ...job }, "run step failed outside its own error handling"));
    active.set(key, work);
    await work;
    active.delete(key);
    settleIdle();
  };

  const add = (job: RunJob, key: string) => {
    const queued = { runId: job.runId, step: job.step };
    waiting.set(key, queued);
    options.log?.info({ ...job, waiting: waiting.size, active: active.size }, "run step queued");
    void limit(() => turn(queued, key));
  };

  const retryLater = (job: RunJob, key: string) => {
    if (closed) return;
    const tries = heldTries.get(key) ?? 0;
    heldTries.set(key, tries + 1);
    const retryMs = Math.min(retryHeldMs, 500 * 2 ** tries);
    options.log?.info({ ...job, retryMs }, "another step holds this run; trying again later");
    retrying.set(
      key,
      timers.setTimeout(() => {
        retrying.delete(key);
        if (!closed && !active.has(key) && !waiting.has(key)) add(job, key);
      }, retryMs),
    );
  };

  return {
    async enqueue(job) {
      const key = keyOf(job);
      if (active.has(key) || waiting.has(key) || retrying.has(key)) return false;
      add(job, key);
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
      for (const [key, handle] of retrying) {
        if (!key.startsWith(`${runId}:`)) continue;
        timers.clearTimeout(handle);
        retrying.delete(key);
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
      for (const handle of retrying.values()) timers.clearTimeout(handle);
      retrying.clear();
      await Promise.all(active.values());
    },
  };
}
