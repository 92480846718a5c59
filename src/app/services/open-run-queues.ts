/**
 * The two queues of a process, chosen from the configuration:
 *
 * | configuration | run steps | agents |
 * |---|---|---|
 * | no `REDIS_URL` | in this process (`DYNFLOW_MAX_CONCURRENT_RUNS` at once) | in this process, under process-wide caps |
 * | `REDIS_URL` and `DATABASE_URL` | BullMQ jobs, taken by `dynflow worker`s with the App's credentials | BullMQ jobs, taken by any `dynflow worker` |
 * | `REDIS_URL` only | in this process (its SQLite file is not shared) | BullMQ jobs, taken by any `dynflow worker` |
 */
import type { Logger } from "pino";
import { hasAppCredentials, type AppConfig } from "../../config/load-env.js";
import { createProcessCaps } from "../../queue/agents/create-capped-runner.js";
import { openAgentQueue } from "../../queue/agents/open-agent-queue.js";
import { DEFAULT_AGENT_QUEUE } from "../../queue/agents/types.js";
import type { Clock } from "../../time.js";
import { createBullRunQueue, DEFAULT_RUN_QUEUE } from "../../queue/runs/create-bull-run-queue.js";
import type { AgentPlacement } from "./types.js";
import { createInProcessRunQueue, type RunQueue } from "../../queue/runs/run-queue.js";

/** Whether a `dynflow worker` with this configuration takes run steps: it needs the App's credentials, the shared store and Redis. */
export function takesRunSteps(config: AppConfig): boolean {
  return hasAppCredentials(config) && config.databaseUrl !== null && config.redisUrl !== null;
}

export interface RunQueuesOptions {
  /** With the shared run queue: whether this process works on run steps (a worker) or only enqueues them (the web process). Default false. */
  takeRunJobs?: boolean;
  /** Default `dynflow-agents`; workers must use the same (`--queue`). */
  agentQueueName?: string;
  /** Default `dynflow-runs`; workers must use the same (`--run-queue`). */
  runQueueName?: string;
  /**
   * Writes `caps.maxConcurrency` to the agents queue as its deployment-wide
   * cap. Pass true only when `DYNFLOW_MAX_CONCURRENCY` was set explicitly, so
   * a process started without it leaves the deployment's cap alone.
   */
  setAgentCap?: boolean;
  clock?: Clock;
}

export interface RunQueues {
  queue: RunQueue;
  agents: AgentPlacement;
  /** True when run steps are BullMQ jobs shared by every process. */
  shared: boolean;
}

/** Opens the queues; see the module comment. With Redis, resolves once the agents queue is connected. */
export async function openRunQueues(config: AppConfig, log: Logger, options: RunQueuesOptions = {}): Promise<RunQueues> {
  const maxConcurrent = config.caps.maxConcurrentRuns;
  if (config.redisUrl === null) {
    const caps = createProcessCaps({ global: config.caps.maxConcurrency, perInstallation: config.caps.maxConcurrencyPerInstallation });
    return { queue: createInProcessRunQueue({ maxConcurrent, log }), agents: { kind: "process", caps }, shared: false };
  }
  const connection = { url: config.redisUrl.reveal() };
  const queue = await openAgentQueue({
    connection,
    queueName: options.agentQueueName ?? DEFAULT_AGENT_QUEUE,
    ...(options.setAgentCap ? { globalConcurrency: config.caps.maxConcurrency } : {}),
    log,
  });
  const agents: AgentPlacement = { kind: "queue", queue, perInstallation: config.caps.maxConcurrencyPerInstallation };
  if (config.databaseUrl === null) {
    log.warn("REDIS_URL without DATABASE_URL: agents run on workers, but runs stay in this process (its SQLite store is not shared)");
    return { queue: createInProcessRunQueue({ maxConcurrent, log }), agents, shared: false };
  }
  const runs = createBullRunQueue({
    connection,
    queueName: options.runQueueName ?? DEFAULT_RUN_QUEUE,
    concurrency: maxConcurrent,
    takeJobs: options.takeRunJobs ?? false,
    ...(options.clock ? { clock: options.clock } : {}),
    log,
  });
  return { queue: runs, agents, shared: true };
}
