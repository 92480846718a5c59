/**
 * The owner side's handle on the agents queue: one BullMQ `Queue`, one
 * `QueueEvents` reader and one plain Redis client per process, shared by
 * every run the process owns (each of them holds connections, and a
 * `QueueEvents` holds a blocking one).
 */
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import { backgroundTimers, repeatEvery, type Timers } from "../../time.js";
import { checkInteger } from "../errors.js";
import { keepGlobalCap, type GlobalCap } from "./keep-global-cap.js";
import { openRedis, queueKeys, type QueueKeys, type RedisConnection } from "../queue-keys.js";
import { DEFAULT_AGENT_QUEUE, DEFAULT_KEY_PREFIX, type AgentJobData, type AgentJobOutcome } from "./types.js";

export interface OpenAgentQueueOptions {
  connection: RedisConnection;
  /** Default `dynflow-agents`. Workers must use the same name. */
  queueName?: string;
  /** Prefix of BullMQ's keys. Default `bull`. */
  bullPrefix?: string;
  /** Prefix of dynflow's own keys. Default `dynflow`. */
  keyPrefix?: string;
  /**
   * Agents running at once across every worker (`DYNFLOW_MAX_CONCURRENCY`),
   * stored on the queue in Redis; unset leaves the stored value alone.
   */
  globalConcurrency?: number;
  /** How often a waiting owner also asks Redis for a job's state, in case an event was missed. Default 5000 ms. */
  pollMs?: number;
  /** Timers of the polls. Default: the global ones, never keeping the process alive. */
  timers?: Timers;
  log?: Logger;
}

/** How a job ended, as far as its owner is concerned. */
export type JobSettlement =
  | { state: "completed"; value: unknown }
  | { state: "failed"; reason: string }
  | { state: "missing" }
  | { state: "aborted" };

export interface AgentQueue {
  readonly name: string;
  readonly queue: Queue<AgentJobData, AgentJobOutcome>;
  readonly redis: Redis;
  readonly keys: QueueKeys;
  /** The job's settlement once it completes or fails, `missing` when it is removed, `aborted` when `signal` aborts first. */
  waitForJob(jobId: string, signal?: AbortSignal): Promise<JobSettlement>;
  /** The job's settlement now, or null while it is waiting or running. */
  settlementOf(jobId: string): Promise<JobSettlement | null>;
  /** Before enqueueing: writes the deployment-wide cap back when Redis lost it (only where this process was given the cap). */
  ensureCap(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the queue and starts reading its events; resolves when both are connected. */
export async function openAgentQueue(options: OpenAgentQueueOptions): Promise<AgentQueue> {
  const name = options.queueName ?? DEFAULT_AGENT_QUEUE;
  const prefix = options.bullPrefix ?? "bull";
  const pollMs = checkInteger("pollMs", options.pollMs ?? 5000, 10);
  const timers = options.timers ?? backgroundTimers;
  const log = (options.log ?? pino({ level: "silent" })).child({ queue: name });
  const redis = openRedis(options.connection, (error) => log.warn({ err: error }, "redis connection error"));
  const queue = new Queue<AgentJobData, AgentJobOutcome>(name, { connection: { url: options.connection.url }, prefix });
  queue.on("error", (error) => log.error({ err: error }, "agent queue connection error"));
  // Read events from the stream's current end, not from whenever the reader's first XREAD happens to run.
  const last = (await redis.xrevrange(`${prefix}:${name}:events`, "+", "-", "COUNT", 1))[0]?.[0] ?? "0-0";
  const events = new QueueEvents(name, { connection: { url: options.connection.url }, prefix, lastEventId: last });
  events.on("error", (error) => log.error({ err: error }, "agent queue events connection error"));
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  const cap: GlobalCap | null =
    options.globalConcurrency === undefined ? null : await keepGlobalCap({ redis, metaKey: queue.keys.meta!, limit: options.globalConcurrency, timers, log });
  events.setMaxListeners(0);

  async function settlementOf(jobId: string): Promise<JobSettlement | null> {
    // State first, then the job: a job read first could still be running when
    // the state is read, and would have no return value yet. A finished job
    // stays finished (until removed).
    const state = await queue.getJobState(jobId);
    if (state === "unknown") return { state: "missing" };
    if (state !== "completed" && state !== "failed") return null;
    const job = await queue.getJob(jobId);
    if (!job) return { state: "missing" };
    return state === "completed" ? { state: "completed", value: job.returnvalue } : { state: "failed", reason: job.failedReason };
  }

  function waitForJob(jobId: string, signal?: AbortSignal): Promise<JobSettlement> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (settlement: JobSettlement) => {
        if (settled) return;
        settled = true;
        for (const event of EVENTS) events.off(`${event}:${jobId}` as "completed", check);
        poll.stop();
        signal?.removeEventListener("abort", onAbort);
        resolve(settlement);
      };
      // Events only say "look now": the job's own hash is the truth (a `failed`
      // event may precede a retry, and a missed event is caught by the poll).
      const check = () => {
        settlementOf(jobId).then(
          (settlement) => settlement && finish(settlement),
          (error: unknown) => log.warn({ err: error, jobId }, "could not read an agent job's state; trying again"),
        );
      };
      const onAbort = () => finish({ state: "aborted" });
      for (const event of EVENTS) events.on(`${event}:${jobId}` as "completed", check);
      const poll = repeatEvery(pollMs, check, timers);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (signal?.aborted) onAbort();
      else check();
    });
  }

  return {
    name,
    queue,
    redis,
    keys: queueKeys(name, options.keyPrefix ?? DEFAULT_KEY_PREFIX),
    waitForJob,
    settlementOf,
    async ensureCap() {
      await cap?.ensure();
    },
    async close() {
      cap?.stop();
      await Promise.allSettled([events.close(), queue.close()]);
      redis.disconnect();
    },
  };
}

const EVENTS = ["completed", "failed", "removed"] as const;
