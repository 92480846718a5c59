/**
 * A worker process's side of the agents queue: takes agent jobs, rebuilds
 * the run's runner (cached per run) and the request's `validate` and
 * `signal`, runs the agent, and stores its outcome (result, or failure with
 * the spend) as the job's return value.
 *
 * Cancellation: the owner marks a cancelled run in Redis; this worker polls
 * the marks of the runs it is running agents for and aborts them (the agent
 * stops at once, commits its partial work and reports what it spent). A
 * stopped agent is marked the same way, alone (the run's stop marks), and
 * its outcome says it was stopped. A worker without the database sends each
 * agent's transcript back in its outcome (`shipTranscripts`).
 * Shutdown: `stop` takes no new job and gives running agents a grace period;
 * what is still running then is handed back to the queue for another worker.
 */
import { WaitingError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import { AgentStoppedError, RunCancelledError } from "../../runtime/errors.js";
import { compileSchema } from "../../runtime/schema/compile-schema.js";
import type { AgentRequest } from "../../runtime/types.js";
import { backgroundTimers, repeatEvery, type Repeating, type Timers } from "../../time.js";
import { failedOutcome, finishedOutcome, readAgentJobData } from "./agent-job.js";
import { AgentJobVanishedError, checkInteger, WorkerStoppingError } from "../errors.js";
import { openRedis, queueKeys, type QueueKeys, type RedisConnection } from "../queue-keys.js";
import { keepGlobalCap } from "./keep-global-cap.js";
import { RunnerCache } from "./runner-cache.js";
import type { ShippedTranscripts } from "../../transcripts/ship-transcripts.js";
import { DEFAULT_AGENT_QUEUE, DEFAULT_KEY_PREFIX, type AgentJobData, type AgentJobOutcome, type CreateRunner, type QueuedRunContext } from "./types.js";

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
  const jobs = new WorkerJobs(options, name);
  const cap =
    options.globalConcurrency === undefined
      ? null
      : await keepGlobalCap({ redis: jobs.redis, metaKey: `${prefix}:${name}:meta`, limit: options.globalConcurrency, timers: jobs.timers, log: jobs.log });
  const worker = new Worker<AgentJobData, AgentJobOutcome>(name, (job, token, signal) => jobs.process(job, token, signal), {
    connection: { url: options.connection.url },
    prefix,
    concurrency,
    lockDuration: checkInteger("lockDurationMs", options.lockDurationMs ?? 30_000, 100),
    stalledInterval: checkInteger("stalledIntervalMs", options.stalledIntervalMs ?? 30_000, 100),
    maxStalledCount: checkInteger("maxStalledCount", options.maxStalledCount ?? 1, 0),
    autorun: true,
  });
  worker.on("error", (error) => jobs.log.error({ err: error }, "agent worker connection error"));
  worker.on("failed", (job, error) => jobs.log.warn({ jobId: job?.id, err: error }, "agent job failed on the worker"));
  worker.on("stalled", (jobId) => jobs.log.warn({ jobId }, "a stalled agent job goes back to the queue"));
  // After a Redis restart without persistence, agents whose jobs are gone stop here: their owners queue them again,
  // and a copy left running would be outside the deployment-wide cap.
  jobs.redis.on("ready", () => jobs.abortVanished(`${prefix}:${name}`));
  worker.on("lockRenewalFailed", () => jobs.abortVanished(`${prefix}:${name}`));
  const poll = repeatEvery(cancelPollMs, () => jobs.abortCancelled(), jobs.timers);

  await worker.waitUntilReady();
  jobs.log.info({ concurrency }, "agent worker started");

  let stopping: Promise<void> | null = null;
  return {
    worker,
    get running() {
      return jobs.running;
    },
    stop(graceMs = 30_000, forceAfterMs = 10_000) {
      cap?.stop();
      stopping ??= stopWorker(worker, jobs, poll, graceMs, forceAfterMs);
      return stopping;
    },
  };
}

/**
 * Takes no new job; running agents get `graceMs`, then are aborted and handed
 * back; after `forceAfterMs` more, what still runs is abandoned to its lock.
 */
async function stopWorker(worker: Worker<AgentJobData, AgentJobOutcome>, jobs: WorkerJobs, poll: Repeating, graceMs: number, forceAfterMs: number): Promise<void> {
  const { log, timers } = jobs;
  log.info({ running: jobs.running, graceMs }, "agent worker stopping");
  await worker.pause(true);
  const handBack = timers.setTimeout(() => jobs.abortAll(new WorkerStoppingError()), graceMs);
  const drained = await jobs.whenDrained(graceMs + forceAfterMs);
  timers.clearTimeout(handBack);
  poll.stop();
  // An agent that ignores its abort keeps its job locked; closing by force lets the lock expire, and another worker takes the job.
  if (!drained) log.warn({ running: jobs.running }, "agents did not stop in time; their jobs go to other workers once their locks expire");
  try {
    await worker.close(!drained);
  } finally {
    await jobs.close();
  }
  log.info("agent worker stopped");
}

/** The agent jobs of this process: running them, cancelling them, and waiting for them to end. */
class WorkerJobs {
  readonly log: Logger;
  readonly timers: Timers;
  private readonly keys: QueueKeys;
  /** dynflow's own keys (cancel marks, the deployment-wide cap). */
  readonly redis: Redis;
  private readonly runners: RunnerCache;
  private readonly active = new Map<string, ActiveJob>();
  private drainWaiters: (() => void)[] = [];
  private readonly shipping: Pick<ShippedTranscripts, "collect"> | undefined;

  constructor(options: AgentWorkerOptions, name: string) {
    this.shipping = options.shipTranscripts;
    this.log = (options.log ?? pino({ level: "silent" })).child({ queue: name });
    this.timers = options.timers ?? backgroundTimers;
    this.keys = queueKeys(name, options.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.redis = openRedis(options.connection, (error) => this.log.warn({ err: error }, "redis connection error"));
    this.runners = new RunnerCache(options.createRunner, checkInteger("runnerIdleMs", options.runnerIdleMs ?? 60_000, 0), this.log, this.timers);
  }

  /** Agents running in this process now. */
  get running(): number {
    return this.active.size;
  }

  /**
   * Runs one agent job; its outcome (result, or failure with the spend) is
   * the job's return value, with the agent's transcript when this worker
   * ships them.
   */
  async process(job: Job<AgentJobData, AgentJobOutcome>, token?: string, signal?: AbortSignal): Promise<AgentJobOutcome> {
    if (this.shipping === undefined) return this.runJob(job, token, signal);
    const { request } = readAgentJobData(job.id ?? "", job.data);
    let outcome: AgentJobOutcome;
    try {
      outcome = await this.runJob(job, token, signal);
    } catch (error) {
      // A job handed back or failed here leaves nothing of its transcript in memory.
      await this.collectTranscript(request);
      throw error;
    }
    const transcript = await this.collectTranscript(request);
    return transcript.length > 0 ? { ...outcome, transcript } : outcome;
  }

  private async collectTranscript(request: AgentJobData["request"]): Promise<NonNullable<AgentJobOutcome["transcript"]>> {
    try {
      return (await this.shipping?.collect(request.runId, request.agentId)) ?? [];
    } catch (error) {
      this.log.warn({ err: error, runId: request.runId, agentId: request.agentId }, "could not collect the agent's transcript; its outcome goes without it");
      return [];
    }
  }

  private async runJob(job: Job<AgentJobData, AgentJobOutcome>, token?: string, signal?: AbortSignal): Promise<AgentJobOutcome> {
    const jobId = job.id ?? "";
    const { context, request } = readAgentJobData(jobId, job.data);
    const jobLog = this.log.child({ runId: request.runId, agentId: request.agentId, jobId });
    const controller = new AbortController();
    const forward = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", forward, { once: true });
    // Registered before the mark is read, so a cancel between the two is seen by the poll.
    this.active.set(jobId, { runId: request.runId, agentId: request.agentId, controller });
    try {
      const { cancelled, stoppedBecause } = await this.marksOf(request.runId, request.agentId);
      if (cancelled) {
        return failedOutcome(new RunCancelledError("the run was cancelled before this agent started"));
      }
      if (stoppedBecause !== null) {
        return failedOutcome(new AgentStoppedError(request.agentId, `${stoppedBecause} (before a worker started it)`));
      }
      return await this.runAgent(job, token, context, rebuildRequest(request, controller.signal), jobLog);
    } finally {
      this.active.delete(jobId);
      signal?.removeEventListener("abort", forward);
      if (this.active.size === 0) this.notifyDrained();
    }
  }

  /** The run's cancel mark and the agent's stop mark, read in one round trip. */
  private async marksOf(runId: string, agentId: string): Promise<{ cancelled: boolean; stoppedBecause: string | null }> {
    const replies = (await this.redis.pipeline().exists(this.keys.cancel(runId)).hget(this.keys.stops(runId), agentId).exec()) ?? [];
    const failed = replies.find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
    const stoppedBecause = replies[1]?.[1];
    return { cancelled: replies[0]?.[1] === 1, stoppedBecause: typeof stoppedBecause === "string" ? stoppedBecause : null };
  }

  /** The agent on the run's runner; a worker stopping hands the job back instead of failing it. */
  private async runAgent(job: Job<AgentJobData, AgentJobOutcome>, token: string | undefined, context: QueuedRunContext, request: AgentRequest, jobLog: Logger): Promise<AgentJobOutcome> {
    const { runner, note, changes } = await this.runners.acquireHandle(context);
    // The agent's change leaves with its outcome, or through the remote first (share-changes.ts).
    const noted = async (outcome: AgentJobOutcome): Promise<AgentJobOutcome> => {
      const sent = changes ? await changes.send(outcome, context) : outcome;
      return note === undefined ? sent : { ...sent, note };
    };
    try {
      jobLog.debug({ attemptsStarted: job.attemptsStarted }, "agent job started");
      await changes?.receiveSubject(job.data);
      return await noted(finishedOutcome(await runner.run(request)));
    } catch (error) {
      if (request.signal.reason instanceof WorkerStoppingError && token !== undefined) {
        jobLog.info("worker stopping: handing the agent back to the queue");
        await job.moveToWait(token);
        throw new WaitingError();
      }
      jobLog.info({ err: error }, "agent failed");
      // A stopped agent's failure says so, so its owner records it as stopped rather than failed.
      if (request.signal.reason instanceof AgentStoppedError) return await noted(stoppedOutcome(error, request.signal.reason));
      return await noted(failedOutcome(error));
    } finally {
      this.runners.release(context.runId);
    }
  }

  /**
   * Reads the cancel marks of the runs with agents here and each running
   * agent's stop mark, in one round trip, and aborts the cancelled runs'
   * agents and the stopped agents.
   */
  abortCancelled(): void {
    const jobs = [...this.active.values()];
    const runIds = [...new Set(jobs.map((job) => job.runId))];
    if (runIds.length === 0) return;
    const reads = this.redis.pipeline().mget(...runIds.map((runId) => this.keys.cancel(runId)));
    for (const job of jobs) reads.hget(this.keys.stops(job.runId), job.agentId);
    reads.exec().then(
      (replies) => this.applyMarks(runIds, jobs, replies ?? []),
      (error: unknown) => this.log.warn({ err: error }, "could not read cancel and stop marks; trying again"),
    );
  }

  private applyMarks(runIds: string[], jobs: ActiveJob[], replies: [Error | null, unknown][]): void {
    const failed = replies.find(([error]) => error !== null)?.[0];
    if (failed) return void this.log.warn({ err: failed }, "could not read cancel and stop marks; trying again");
    const [cancelReply, ...stopReplies] = replies;
    const marks = (cancelReply?.[1] ?? []) as (string | null)[];
    const cancelled = new Set(runIds.filter((_, i) => marks[i] !== null && marks[i] !== undefined));
    for (const [i, job] of jobs.entries()) {
      if (job.controller.signal.aborted) continue;
      const stoppedBecause = stopReplies[i]?.[1];
      if (cancelled.has(job.runId)) job.controller.abort(new RunCancelledError("cancelled by its owner"));
      else if (typeof stoppedBecause === "string") job.controller.abort(new AgentStoppedError(job.agentId, stoppedBecause));
    }
  }

  /** Aborts the running agents whose jobs are no longer in Redis (`jobKeyBase`: BullMQ's `<prefix>:<queue>`). */
  abortVanished(jobKeyBase: string): void {
    const jobs = [...this.active.entries()];
    if (jobs.length === 0) return;
    const reads = this.redis.pipeline();
    for (const [jobId] of jobs) reads.exists(`${jobKeyBase}:${jobId}`);
    reads.exec().then(
      (replies) => {
        for (const [i, [jobId, job]] of jobs.entries()) {
          const [error, exists] = replies?.[i] ?? [null, 1];
          if (error !== null || exists !== 0 || job.controller.signal.aborted) continue;
          this.log.warn({ jobId, runId: job.runId, agentId: job.agentId }, "the agent's job vanished from Redis; stopping this copy");
          job.controller.abort(new AgentJobVanishedError(jobId));
        }
      },
      (error: unknown) => this.log.warn({ err: error }, "could not check whether running agents' jobs still exist"),
    );
  }

  /** Aborts every running agent with `reason`. */
  abortAll(reason: Error): void {
    for (const job of this.active.values()) job.controller.abort(reason);
  }

  /** Resolves true once no agent runs in this process, false after `timeoutMs`. */
  whenDrained(timeoutMs: number): Promise<boolean> {
    if (this.active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(() => resolve(false), timeoutMs);
      this.drainWaiters.push(() => {
        this.timers.clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Closes every runner and the Redis connection. */
  async close(): Promise<void> {
    try {
      await this.runners.closeAll();
    } finally {
      this.redis.disconnect();
    }
  }

  private notifyDrained(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
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
