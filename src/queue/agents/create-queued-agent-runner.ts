/**
 * The agent runner of a run whose agents run on worker processes: every
 * `run(request)` becomes a BullMQ job, and resolves with what the worker
 * stored as the job's outcome. The owner (the process running the script
 * and its scheduler) counts usage once, from that outcome.
 *
 * Job ids are `<runId>:<key>:<attempt>`, so an owner relaunched after a
 * crash re-attaches to the jobs it had enqueued: a finished one returns its
 * stored result without a model call, a running one is waited for, a failed
 * one runs again (failures are never replayed).
 */
import { setMaxListeners } from "node:events";
import { pino, type Logger } from "pino";
import { AgentFailedError, AgentStoppedError } from "../../runtime/errors.js";
import { ZERO_USAGE, type AgentRequest, type AgentResult, type AgentRunner, type ChangeRef } from "../../runtime/types.js";
import { agentJobId, isAgentJobOutcome, jobPriority, resultOf, toAgentJobData } from "./agent-job.js";
import { checkInteger, QueueOptionError } from "../errors.js";
import type { AgentQueue, JobSettlement } from "./open-agent-queue.js";
import { RedisSemaphore, type SemaphoreLease } from "./redis-semaphore.js";
import type { AgentJobOutcome, QueuedRunContext } from "./types.js";
import type { TranscriptRecorder } from "../../transcripts/types.js";

export interface QueuedAgentRunnerOptions {
  /** The process's queue handle (`openAgentQueue`), shared by all its runs. */
  queue: AgentQueue;
  runContext: QueuedRunContext;
  /**
   * Agents of one installation queued or running at once, across every run
   * and process; taken before a job is enqueued. Unset, or a run without an
   * installation: no such cap.
   */
  perInstallation?: { limit: number; ttlMs?: number; retryMs?: number };
  /** How long finished jobs keep their outcome in Redis, for re-attaching. Default 24 hours. */
  keepJobsMs?: number;
  /** After a cancel, how long to wait for a running agent to stop and report its spend. Default 15,000 ms. */
  cancelGraceMs?: number;
  /** Called with the change of every outcome before it is returned: where a remote repository's worker branch is fetched. */
  receiveChange?: (change: ChangeRef) => Promise<void>;
  /** Where transcripts that workers send in outcomes (workers without the database) are recorded. */
  transcripts?: Pick<TranscriptRecorder, "receive">;
  log?: Logger;
}

export interface QueuedAgentRunner extends AgentRunner {
  /** Jobs this runner enqueued (re-attached ones not counted); the next job's priority is this plus one. */
  readonly enqueued: number;
}

type Attached = { kind: "none" } | { kind: "pending" } | { kind: "finished"; outcome: AgentJobOutcome };

/** Creates the runner for one run; see the module comment. */
export function createQueuedAgentRunner(options: QueuedAgentRunnerOptions): QueuedAgentRunner {
  const { queue, runContext } = options;
  const keepMs = checkInteger("keepJobsMs", options.keepJobsMs ?? 24 * 3_600_000, 1000);
  const cancelGraceMs = checkInteger("cancelGraceMs", options.cancelGraceMs ?? 15_000, 0);
  const log = (options.log ?? pino({ level: "silent" })).child({ runId: runContext.runId, queue: queue.name });
  const slots =
    options.perInstallation && runContext.installationId !== null
      ? new RedisSemaphore({ redis: queue.redis, key: queue.keys.installationSlots(runContext.installationId), ...options.perInstallation })
      : null;
  let enqueued = 0;
  let cancelMarked: Promise<unknown> | null = null;
  let started: Promise<unknown> | null = null;

  /** What is already in Redis under `jobId`. */
  async function attach(jobId: string): Promise<Attached> {
    const settlement = await queue.settlementOf(jobId);
    if (settlement === null) return { kind: "pending" };
    if (settlement.state === "completed" && isAgentJobOutcome(settlement.value) && settlement.value.status === "finished") {
      return { kind: "finished", outcome: settlement.value };
    }
    // A failure from an earlier incarnation runs again, like a failure the journal never kept.
    if (settlement.state !== "missing") await queue.queue.remove(jobId);
    return { kind: "none" };
  }

  /** The run was cancelled, or this one agent stopped, while its job waited or ran. */
  async function cancel(jobId: string, request: AgentRequest, jobLog: Logger): Promise<JobSettlement> {
    const reason: unknown = request.signal.reason;
    const stopped = reason instanceof AgentStoppedError;
    if (stopped) {
      // Only this agent: the worker running it polls the run's stop marks.
      const key = queue.keys.stops(request.runId);
      await queue.redis.multi().hset(key, request.agentId, reason.reason).pexpire(key, keepMs).exec();
    } else {
      // Workers poll this mark and abort the run's agents between turns.
      cancelMarked ??= queue.redis.set(queue.keys.cancel(request.runId), "1", "PX", keepMs).catch((error: unknown) => {
        cancelMarked = null;
        throw error;
      });
      await cancelMarked;
    }
    const removed = await queue.queue.remove(jobId).catch(() => 0);
    if (removed === 1) {
      const what = stopped ? "the agent was stopped" : "the run was cancelled";
      throw new AgentFailedError(`${what} before a worker started it`, { ...ZERO_USAGE }, 0, { stopped });
    }
    jobLog.info({ graceMs: cancelGraceMs }, "run cancelled: waiting for the running agent to stop and report its spend");
    const settlement = await queue.waitForJob(jobId, AbortSignal.timeout(cancelGraceMs));
    if (settlement.state === "aborted") {
      jobLog.warn("the cancelled agent did not report in time; what it spent is not counted in the run's totals");
      throw new AgentFailedError(
        `the run was cancelled while this agent ran, and its worker did not report within ${cancelGraceMs} ms; its spend is not counted`,
        { ...ZERO_USAGE },
        0,
      );
    }
    return settlement;
  }

  async function deliver(outcome: AgentJobOutcome, request: AgentRequest): Promise<AgentResult> {
    if (outcome.transcript !== undefined) options.transcripts?.receive(request.runId, request.agentId, outcome.transcript);
    const change = outcome.status === "finished" ? outcome.result.change : outcome.change;
    if (change && options.receiveChange) {
      try {
        await options.receiveChange(change);
      } catch (error) {
        const spent = outcome.status === "finished" ? outcome.result : outcome;
        throw new AgentFailedError(`the agent's change on ${change.branch} could not be fetched: ${messageOf(error)}`, spent.usage, spent.costUsd, {
          cause: error,
          change,
        });
      }
    }
    return resultOf(outcome);
  }

  return {
    get enqueued() {
      return enqueued;
    },

    async run(request: AgentRequest): Promise<AgentResult> {
      if (request.runId !== runContext.runId) throw new QueueOptionError("request.runId", request.runId, `the runner's run id "${runContext.runId}"`);
      const jobId = agentJobId(request.runId, request.key, request.attempt);
      // Every queued or running agent of the run listens to the run's one signal; that many listeners is no leak.
      setMaxListeners(0, request.signal);
      const jobLog = log.child({ agentId: request.agentId, jobId });
      // A run resumed under its id after a cancel or a stop must not find its agents cancelled or stopped by the old marks.
      if (!request.signal.aborted) started ??= queue.redis.del(queue.keys.cancel(request.runId), queue.keys.stops(request.runId));
      await started;
      const attached = await attach(jobId);
      if (attached.kind === "finished") {
        jobLog.info("re-attached to a finished agent job: its stored result is used, no model call");
        return deliver(attached.outcome, request);
      }
      let lease: SemaphoreLease | null = null;
      try {
        lease = slots ? await slots.acquire(jobId, request.signal) : null;
      } catch (error) {
        if (request.signal.aborted) throw new AgentFailedError("the run was cancelled before this agent was queued", { ...ZERO_USAGE }, 0);
        throw error;
      }
      try {
        if (attached.kind === "none") {
          request.signal.throwIfAborted();
          const priority = jobPriority(enqueued);
          enqueued += 1;
          await queue.queue.add("agent", toAgentJobData(request, runContext), {
            jobId,
            priority,
            attempts: 1,
            removeOnComplete: { age: Math.ceil(keepMs / 1000) },
            removeOnFail: { age: Math.ceil(keepMs / 1000) },
          });
          jobLog.debug({ priority }, "agent job queued");
        } else {
          jobLog.info("re-attached to a queued or running agent job");
        }
        let settlement = await queue.waitForJob(jobId, request.signal);
        if (settlement.state === "aborted") settlement = await cancel(jobId, request, jobLog);
        return await settle(settlement, request);
      } catch (error) {
        if (request.signal.aborted && !(error instanceof AgentFailedError)) {
          throw new AgentFailedError("the run was cancelled before this agent was queued", { ...ZERO_USAGE }, 0, { cause: error });
        }
        throw error;
      } finally {
        await lease?.release().catch((error: unknown) => jobLog.warn({ err: error }, "could not give back an installation slot; it expires by itself"));
      }
    },
  };

  async function settle(settlement: JobSettlement, request: AgentRequest): Promise<AgentResult> {
    switch (settlement.state) {
      case "completed":
        if (!isAgentJobOutcome(settlement.value)) {
          throw new AgentFailedError("the worker stored a result this version cannot read", { ...ZERO_USAGE }, 0);
        }
        return deliver(settlement.value, request);
      case "failed":
        throw new AgentFailedError(`the worker could not run the agent: ${settlement.reason}`, { ...ZERO_USAGE }, 0);
      case "missing":
        throw new AgentFailedError("the agent's job was removed from the queue before it finished", { ...ZERO_USAGE }, 0);
      case "aborted":
        throw new AgentFailedError("the run was cancelled", { ...ZERO_USAGE }, 0);
    }
  }
}

/**
 * Marks a run cancelled for every worker, from any process (e.g. the one
 * that received `/dynflow cancel`). The owner's runner does this itself when
 * the run's signal aborts.
 */
export async function markRunCancelled(queue: AgentQueue, runId: string, keepMs = 24 * 3_600_000): Promise<void> {
  await queue.redis.set(queue.keys.cancel(runId), "1", "PX", keepMs);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
