/**
 * A worker process's side of the agents queue: takes agent jobs, rebuilds
 * the run's runner (cached per run) and the request's `validate` and
 * `signal`, runs the agent, and stores its outcome (result, or failure with
 * the spend) as the job's return value.
 *
 * Cancellation: the owner marks a cancelled run in Redis; this worker polls
 * the marks of the runs it is running agents for and aborts them (the agent
 * stops at once, commits its partial work and reports what it spent).
 * Shutdown: `stop` takes no new job and gives running agents a grace period;
 * what is still running then is handed back to the queue for another worker.
 */
import { Queue, WaitingError, Worker, type Job } from "bullmq";
import { pino, type Logger } from "pino";
import { AgentStoppedError, RunCancelledError } from "../../runtime/errors.js";
import { compileSchema } from "../../runtime/schema/compile-schema.js";
import type { AgentRequest } from "../../runtime/types.js";
import { backgroundTimers, repeatEvery, type Timers } from "../../time.js";
import { failedOutcome, finishedOutcome, readAgentJobData } from "./agent-job.js";
import { checkInteger, WorkerStoppingError } from "../errors.js";
import { openRedis, queueKeys, type RedisConnection } from "../queue-keys.js";
import { RunnerCache } from "./runner-cache.js";
import type { ShippedTranscripts } from "../../transcripts/ship-transcripts.js";
import { DEFAULT_AGENT_QUEUE, DEFAULT_KEY_PREFIX, type AgentJobData, type AgentJobOutcome, type CreateRunner } from "./types.js";

export interface AgentWorkerOptions {
  connection: RedisConnection;
  /** Default `dynflow-agents`; the owners must use the same name. */
  queueName?: string;
  bullPrefix?: string;
  keyPrefix?: string;
  /** Agents this process runs at once (never more than the queue's global concurrency allows). */
  concurrency: number;
  /** Agents running at once across every worker (`DYNFLOW_MAX_CONCURRENCY`); stored on the queue. Unset leaves it alone. */
  globalConcurrency?: number;
  createRunner: CreateRunner;
  log?: Logger;
  /** A job whose worker stops renewing its lock for this long is taken by another worker. Default 30,000 ms. */
  lockDurationMs?: number;
  /** How often this worker looks for such stalled jobs. Default 30,000 ms. */
  stalledIntervalMs?: number;
  /** Times one job may stall before it fails for good. Default 1. */
  maxStalledCount?: number;
  /** How often the cancel marks of running runs are read. Default 1,000 ms. */
  cancelPollMs?: number;
  /** A run's runner is closed after this long without a job of the run. Default 60,000 ms. */
  runnerIdleMs?: number;
  /** Timers of the cancel polls, idle runners and the shutdown grace. Default: the global ones, never keeping the process alive. */
  timers?: Timers;
  /** A worker without the database: each agent's transcript goes back in its outcome (give its `recorder` to the runners). */
  shipTranscripts?: Pick<ShippedTranscripts, "collect">;
}

export interface AgentWorker {
  readonly worker: Worker<AgentJobData, AgentJobOutcome>;
  /** Agents running in this process now. */
  readonly running: number;
  /**
   * Takes no new job; running agents get `graceMs` (default 30,000) to
   * finish, then are aborted and handed back to the queue. An agent still
   * running `forceAfterMs` (default 10,000) later is abandoned: its job is
   * taken by another worker once its lock expires. Resolves when every
   * connection and runner is closed.
   */
  stop(graceMs?: number, forceAfterMs?: number): Promise<void>;
}

interface ActiveJob {
  runId: string;
  agentId: string;
  controller: AbortController;
}

/** Starts a worker; resolves once it is connected and taking jobs. */
export async function startAgentWorker(options: AgentWorkerOptions): Promise<AgentWorker> {
  const name = options.queueName ?? DEFAULT_AGENT_QUEUE;
  const prefix = options.bullPrefix ?? "bull";
  const concurrency = checkInteger("concurrency", options.concurrency, 1, 4096);
  const cancelPollMs = checkInteger("cancelPollMs", options.cancelPollMs ?? 1000, 10);
  const log = (options.log ?? pino({ level: "silent" })).child({ queue: name });
  const keys = queueKeys(name, options.keyPrefix ?? DEFAULT_KEY_PREFIX);
  const redis = openRedis(options.connection, (error) => log.warn({ err: error }, "redis connection error"));
  const timers = options.timers ?? backgroundTimers;
  const runners = new RunnerCache(options.createRunner, checkInteger("runnerIdleMs", options.runnerIdleMs ?? 60_000, 0), log, timers);
  const active = new Map<string, ActiveJob>();
  let drainWaiters: (() => void)[] = [];

  if (options.globalConcurrency !== undefined) {
    const queue = new Queue(name, { connection: { url: options.connection.url }, prefix });
    try {
      await queue.setGlobalConcurrency(checkInteger("globalConcurrency", options.globalConcurrency, 1));
    } finally {
      await queue.close();
    }
  }

  async function processJob(job: Job<AgentJobData, AgentJobOutcome>, token?: string, signal?: AbortSignal): Promise<AgentJobOutcome> {
    const { request } = readAgentJobData(job.id ?? "", job.data);
    const shipping = options.shipTranscripts;
    if (shipping === undefined) return runJob(job, token, signal);
    const collect = () =>
      shipping.collect(request.runId, request.agentId).catch((error: unknown) => {
        log.warn({ err: error, runId: request.runId, agentId: request.agentId }, "could not collect the agent's transcript; its outcome goes without it");
        return [];
      });
    let outcome: AgentJobOutcome;
    try {
      outcome = await runJob(job, token, signal);
    } catch (error) {
      // A job handed back or failed here leaves nothing of its transcript in memory.
      await collect();
      throw error;
    }
    const transcript = await collect();
    return transcript.length > 0 ? { ...outcome, transcript } : outcome;
  }

  async function runJob(job: Job<AgentJobData, AgentJobOutcome>, token?: string, signal?: AbortSignal): Promise<AgentJobOutcome> {
    const jobId = job.id ?? "";
    const { context, request } = readAgentJobData(jobId, job.data);
    const jobLog = log.child({ runId: request.runId, agentId: request.agentId, jobId });
    const controller = new AbortController();
    const forward = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", forward, { once: true });
    // Registered before the mark is read, so a cancel between the two is seen by the poll.
    active.set(jobId, { runId: request.runId, agentId: request.agentId, controller });
    try {
      if ((await redis.exists(keys.cancel(request.runId))) === 1) {
        return failedOutcome(new RunCancelledError("the run was cancelled before this agent started"));
      }
      const stoppedBecause = await redis.hget(keys.stops(request.runId), request.agentId);
      if (stoppedBecause !== null) {
        return failedOutcome(new AgentStoppedError(request.agentId, `${stoppedBecause} (before a worker started it)`));
      }
      const runner = await runners.acquire(context);
      try {
        jobLog.debug({ attemptsStarted: job.attemptsStarted }, "agent job started");
        const result = await runner.run(rebuildRequest(request, controller.signal));
        return finishedOutcome(result);
      } catch (error) {
        if (controller.signal.reason instanceof WorkerStoppingError && token !== undefined) {
          jobLog.info("worker stopping: handing the agent back to the queue");
          await job.moveToWait(token);
          throw new WaitingError();
        }
        jobLog.info({ err: error }, "agent failed");
        // A stopped agent's failure says so, so its owner records it as stopped rather than failed.
        if (controller.signal.reason instanceof AgentStoppedError) return stoppedOutcome(error, controller.signal.reason);
        return failedOutcome(error);
      } finally {
        runners.release(context.runId);
      }
    } finally {
      active.delete(jobId);
      signal?.removeEventListener("abort", forward);
      if (active.size === 0) {
        const waiters = drainWaiters;
        drainWaiters = [];
        for (const waiter of waiters) waiter();
      }
    }
  }

  const worker = new Worker<AgentJobData, AgentJobOutcome>(name, processJob, {
    connection: { url: options.connection.url },
    prefix,
    concurrency,
    lockDuration: checkInteger("lockDurationMs", options.lockDurationMs ?? 30_000, 100),
    stalledInterval: checkInteger("stalledIntervalMs", options.stalledIntervalMs ?? 30_000, 100),
    maxStalledCount: checkInteger("maxStalledCount", options.maxStalledCount ?? 1, 0),
    autorun: true,
  });
  worker.on("error", (error) => log.error({ err: error }, "agent worker connection error"));
  worker.on("failed", (job, error) => log.warn({ jobId: job?.id, err: error }, "agent job failed on the worker"));
  worker.on("stalled", (jobId) => log.warn({ jobId }, "a stalled agent job goes back to the queue"));

  const poll = repeatEvery(cancelPollMs, () => {
    const runIds = [...new Set([...active.values()].map((job) => job.runId))];
    if (runIds.length === 0) return;
    const jobs = [...active.values()];
    // One round trip: the runs' cancel marks, then each running agent's stop mark.
    const reads = redis.pipeline().mget(...runIds.map((runId) => keys.cancel(runId)));
    for (const job of jobs) reads.hget(keys.stops(job.runId), job.agentId);
    reads.exec().then(
      (replies) => {
        const failed = replies?.find(([error]) => error !== null)?.[0];
        if (failed) return log.warn({ err: failed }, "could not read cancel and stop marks; trying again");
        const [cancelReply, ...stopReplies] = replies ?? [];
        const marks = (cancelReply?.[1] ?? []) as (string | null)[];
        const cancelled = new Set(runIds.filter((_, i) => marks[i] !== null && marks[i] !== undefined));
        for (const [i, job] of jobs.entries()) {
          if (job.controller.signal.aborted) continue;
          const stoppedBecause = stopReplies[i]?.[1];
          if (cancelled.has(job.runId)) job.controller.abort(new RunCancelledError("cancelled by its owner"));
          else if (typeof stoppedBecause === "string") job.controller.abort(new AgentStoppedError(job.agentId, stoppedBecause));
        }
      },
      (error: unknown) => log.warn({ err: error }, "could not read cancel marks; trying again"),
    );
  }, timers);

  await worker.waitUntilReady();
  log.info({ concurrency }, "agent worker started");

  let stopping: Promise<void> | null = null;
  return {
    worker,
    get running() {
      return active.size;
    },
    stop(graceMs = 30_000, forceAfterMs = 10_000) {
      stopping ??= (async () => {
        log.info({ running: active.size, graceMs }, "agent worker stopping");
        await worker.pause(true);
        const handBack = timers.setTimeout(() => {
          for (const job of active.values()) job.controller.abort(new WorkerStoppingError());
        }, graceMs);
        const drained = await whenDrained(graceMs + forceAfterMs);
        timers.clearTimeout(handBack);
        poll.stop();
        // An agent that ignores its abort keeps its job locked; closing by force lets the lock expire, and another worker takes the job.
        if (!drained) log.warn({ running: active.size }, "agents did not stop in time; their jobs go to other workers once their locks expire");
        try {
          await worker.close(!drained);
        } finally {
          await runners.closeAll();
          redis.disconnect();
        }
        log.info("agent worker stopped");
      })();
      return stopping;
    },
  };

  /** Resolves true once no agent runs in this process, false after `timeoutMs`. */
  function whenDrained(timeoutMs: number): Promise<boolean> {
    if (active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = timers.setTimeout(() => resolve(false), timeoutMs);
      drainWaiters.push(() => {
        timers.clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** The outcome of an agent stopped on this worker: its spend and partial change, marked stopped. */
function stoppedOutcome(error: unknown, reason: AgentStoppedError): AgentJobOutcome {
  const failed = failedOutcome(error);
  return failed.status === "failed" ? { ...failed, code: "agent_stopped", message: reason.message } : failed;
}

/** The request as the runner expects it: `validate` from the schema, `signal` from this worker. */
function rebuildRequest(request: AgentJobData["request"], signal: AbortSignal): AgentRequest {
  const schema = request.options.schema === undefined ? null : compileSchema(request.options.schema);
  return { ...request, validate: schema ? (value) => schema.validate(value) : () => ({ ok: true }), signal };
}
