/**
 * The run queue on Redis (BullMQ), for the scaled-out deployment: the web
 * process only enqueues run steps, and every `dynflow worker` with the App's
 * credentials takes them, `concurrency` at once per process.
 *
 * A step's job id is `run:<run id>:<step>`, so the same step of the same run is
 * queued once however many processes ask (a redelivered webhook, every
 * process recovering runs at startup). Finished jobs are removed at once, so
 * a run resumed later queues its step again.
 *
 * Which process works on a run is still decided by the store's lease
 * `run:<id>`: a job whose run is held by another process (its previous owner
 * died and the lease has not expired yet) waits and tries again, instead of
 * being dropped.
 */
import { randomBytes } from "node:crypto";
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { pino, type Logger } from "pino";
import { checkInteger } from "../errors.js";
import { openRedis, type RedisConnection } from "../queue-keys.js";
import { realTimers, sleep, systemClock, type Clock, type Timers } from "../../time.js";
import type { RunJob, RunJobProcessor, RunQueue, RunStep } from "./run-queue.js";

/** Queue run steps go to unless configured otherwise. */
export const DEFAULT_RUN_QUEUE = "dynflow-runs";

export interface BullRunQueueOptions {
  connection: RedisConnection;
  /** Default `dynflow-runs`; the same on every process. */
  queueName?: string;
  /** Prefix of BullMQ's keys. Default `bull`. */
  bullPrefix?: string;
  /** Run steps this process works on at once (`DYNFLOW_MAX_CONCURRENT_RUNS`). */
  concurrency: number;
  /**
   * Whether this process works on run steps once `start` is called. False for
   * the web process: it enqueues, and workers take the steps.
   */
  takeJobs: boolean;
  /** How long a step whose run another process holds waits before it tries again. Default 30,000 ms. */
  retryHeldMs?: number;
  /** A step whose process stops renewing its lock for this long goes to another process. Default 30,000 ms. */
  lockDurationMs?: number;
  /** How often stalled steps are looked for. Default 30,000 ms. */
  stalledIntervalMs?: number;
  /** How often `onIdle` looks at the queue. Default 250 ms. */
  idlePollMs?: number;
  clock?: Clock;
  /** Timers of `onIdle`'s polls. Default: the global ones. */
  timers?: Timers;
  /** Source of the nonce that tells a new job from an existing one. */
  randomBytes?: (size: number) => Buffer;
  log?: Logger;
}

/** What a run step's job holds. */
interface RunJobData {
  runId: string;
  step: RunStep;
  /** Tells whether `enqueue` added this job or found another one under the id. */
  nonce: string;
}

const STEPS: readonly RunStep[] = ["plan", "execute", "ci", "closed"];

/** The job id of a run step: BullMQ takes custom ids with no colon or exactly two. */
export function runJobId(runId: string, step: RunStep): string {
  return `run:${runId.replace(/[%:]/g, (c) => (c === "%" ? "%25" : "%3A"))}:${step}`;
}

/** Opens the queue (and, once `start` is called in a process that takes jobs, its worker). */
export function createBullRunQueue(options: BullRunQueueOptions): RunQueue {
  const name = options.queueName ?? DEFAULT_RUN_QUEUE;
  const prefix = options.bullPrefix ?? "bull";
  const concurrency = checkInteger("concurrency", options.concurrency, 1, 1024);
  const retryHeldMs = checkInteger("retryHeldMs", options.retryHeldMs ?? 30_000, 10);
  const idlePollMs = checkInteger("idlePollMs", options.idlePollMs ?? 250, 10);
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? realTimers;
  const random = options.randomBytes ?? randomBytes;
  const log = (options.log ?? pino({ level: "silent" })).child({ queue: name });
  const connection = { url: options.connection.url };
  const queue = new Queue<RunJobData>(name, { connection, prefix });
  queue.on("error", (error) => log.error({ err: error }, "run queue connection error"));
  let worker: Worker<RunJobData> | null = null;
  /** A connection of its own that only watches Redis come back (opened by the first `onReconnect`). */
  let watcher: ReturnType<typeof openRedis> | null = null;
  const reconnectListeners: (() => void)[] = [];
  let started = false;
  let closed = false;

  async function processJob(job: Job<RunJobData>, processor: RunJobProcessor, token?: string): Promise<void> {
    const { runId, step } = job.data;
    const outcome = await processor({ runId, step });
    if (outcome !== "held-elsewhere" || token === undefined) return;
    log.info({ runId, step, retryMs: retryHeldMs }, "another process holds this run; trying again later");
    await job.moveToDelayed(clock.now() + retryHeldMs, token);
    throw new DelayedError();
  }

  return {
    async enqueue(job: RunJob) {
      const nonce = random(8).toString("hex");
      const jobId = runJobId(job.runId, job.step);
      await queue.add(job.step, { runId: job.runId, step: job.step, nonce }, { jobId, removeOnComplete: true, removeOnFail: true });
      // BullMQ ignores an add under an id it holds; the stored nonce says whose job it is. A job
      // gone already was taken and finished in the meantime: it counts as added, the step ran.
      const stored = await queue.getJob(jobId);
      const added = stored === undefined || stored.data.nonce === nonce;
      log.info({ runId: job.runId, step: job.step, added }, added ? "run step queued" : "run step already queued");
      return added;
    },

    start(processor) {
      if (started) throw new Error("run queue: start() was called twice; one queue has one processor");
      started = true;
      if (!options.takeJobs) {
        log.info("run steps are taken by dynflow worker processes, not by this one");
        return;
      }
      worker = new Worker<RunJobData>(name, (job, token) => processJob(job, processor, token), {
        connection,
        prefix,
        concurrency,
        lockDuration: checkInteger("lockDurationMs", options.lockDurationMs ?? 30_000, 100),
        stalledInterval: checkInteger("stalledIntervalMs", options.stalledIntervalMs ?? 30_000, 100),
        // A run whose owner keeps dying is still worth taking over: its journal makes every retry cheaper.
        maxStalledCount: 10,
      });
      worker.on("error", (error) => log.error({ err: error }, "run queue worker connection error"));
      worker.on("failed", (job, error) => log.error({ runId: job?.data.runId, step: job?.data.step, err: error }, "run step failed outside its own error handling"));
      log.info({ concurrency }, "taking run steps");
    },

    async remove(runId) {
      let removed = 0;
      for (const step of STEPS) {
        const jobId = runJobId(runId, step);
        // An active job is locked and stays (its process sees the cancel in the store); BullMQ
        // reports a job that does not exist as removed, so only existing ones are counted.
        const state = await queue.getJobState(jobId);
        if (state === "unknown" || state === "active") continue;
        removed += await queue.remove(jobId);
      }
      return removed;
    },

    async onIdle() {
      while (!closed) {
        const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
        if (Object.values(counts).every((count) => count === 0)) return;
        await sleep(idlePollMs, { timers });
      }
    },

    onReconnect(listener) {
      reconnectListeners.push(listener);
      if (watcher !== null) return;
      // ioredis says `ready` on its first connection and again after every reconnect; only those count.
      let connectedBefore = false;
      watcher = openRedis(connection, (error) => log.warn({ err: error }, "run queue watch connection error"));
      watcher.on("ready", () => {
        if (!connectedBefore) {
          connectedBefore = true;
          return;
        }
        log.warn("run queue connection back; steps queued before may have been lost with Redis");
        for (const call of reconnectListeners) call();
      });
    },

    async close() {
      closed = true;
      watcher?.disconnect();
      // Waits for running steps, as the in-process queue does. A process killed before they end is a
      // crash like any other: the steps' locks lapse, and another process takes each run over from
      // its journal once the run's lease has expired.
      await worker?.close();
      await queue.close();
    },
  };
}
