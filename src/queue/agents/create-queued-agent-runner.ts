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
import { agentJobId, isAgentJobOutcome, jobPriority, resultOf, subjectChange, toAgentJobData } from "./agent-job.js";
import { checkInteger, QueueOptionError } from "../errors.js";
import type { AgentQueue, JobSettlement } from "./open-agent-queue.js";
import { RedisSemaphore, type SemaphoreLease } from "./redis-semaphore.js";
import type { AgentJobOutcome, QueuedRunContext } from "./types.js";
import type { TranscriptRecorder } from "../../transcripts/types.js";
import { messageOf } from "../../errors.js";
import type { CarriedChange } from "../../workspace/index.js";

export interface QueuedAgentRunnerOptions {
  /** The process's queue handle (`openAgentQueue`), shared by all its runs. */
  queue: AgentQueue;
  runContext: QueuedRunContext;
  /** When the run was created (ms since the epoch): among jobs of one round, older runs' go first (`jobPriority`). Unset: 0. */
  runCreatedAt?: number;
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
  /**
   * Called with the change of every outcome before it is returned, and the
   * change as data when it came so: where a remote repository's worker
   * branch is written or fetched.
   */
  receiveChange?: (change: ChangeRef, carried: CarriedChange | undefined) => Promise<void>;
  /**
   * The change a refuter's subject names, as data to send in its job, or
   * null when the worker is to fetch it from the remote. Unset: always fetched.
   */
  carrySubject?: (change: { branch: string; commit: string }) => Promise<CarriedChange | null>;
  /** Told what a worker could not offer an agent (no sandbox there: no `run_command`), for the run's report. */
  onNote?: (note: string) => void;
  /** Where transcripts that workers send in outcomes (workers without the database) are recorded. */
  transcripts?: Pick<TranscriptRecorder, "receive">;
  log?: Logger;
}

export interface QueuedAgentRunner extends AgentRunner {
  /** Jobs this runner enqueued (re-attached ones not counted); the next job's priority is this plus one. */
  readonly enqueued: number;
}

/** BullMQ states of a job no worker holds yet. */
const WAITING_STATES = new Set(["waiting", "prioritized", "delayed", "waiting-children"]);

/** Times one agent's job is queued again after vanishing from the queue. */
const MAX_REQUEUES = 3;

type Attached = { kind: "none" } | { kind: "pending" } | { kind: "finished"; outcome: AgentJobOutcome };

/** Creates the runner for one run; see the module comment. */
export function createQueuedAgentRunner(options: QueuedAgentRunnerOptions): QueuedAgentRunner {
  return new QueuedRunner(options);
}

/** The runner of one run: one job per agent, its result read back from the job. */
class QueuedRunner implements QueuedAgentRunner {
  private readonly queue: AgentQueue;
  private readonly runContext: QueuedRunContext;
  private readonly keepMs: number;
  private readonly cancelGraceMs: number;
  private readonly log: Logger;
  /** The installation's slots, when that cap applies. */
  private readonly slots: RedisSemaphore | null;
  private enqueuedJobs = 0;
  private readonly runCreatedAt: number;
  private cancelMarked: Promise<unknown> | null = null;
  private started: Promise<unknown> | null = null;

  constructor(private readonly options: QueuedAgentRunnerOptions) {
    this.queue = options.queue;
    this.runContext = options.runContext;
    this.runCreatedAt = options.runCreatedAt ?? 0;
    this.keepMs = checkInteger("keepJobsMs", options.keepJobsMs ?? 24 * 3_600_000, 1000);
    this.cancelGraceMs = checkInteger("cancelGraceMs", options.cancelGraceMs ?? 15_000, 0);
    this.log = (options.log ?? pino({ level: "silent" })).child({ runId: this.runContext.runId, queue: this.queue.name });
    const installationId = this.runContext.installationId;
    this.slots =
      options.perInstallation && installationId !== null
        ? new RedisSemaphore({ redis: this.queue.redis, key: this.queue.keys.installationSlots(installationId), ...options.perInstallation })
        : null;
  }

  get enqueued(): number {
    return this.enqueuedJobs;
  }

  async run(request: AgentRequest): Promise<AgentResult> {
    if (request.runId !== this.runContext.runId) throw new QueueOptionError("request.runId", request.runId, `the runner's run id "${this.runContext.runId}"`);
    const jobId = agentJobId(request.runId, request.key, request.attempt);
    // Every queued or running agent of the run listens to the run's one signal; that many listeners is no leak.
    setMaxListeners(0, request.signal);
    const jobLog = this.log.child({ agentId: request.agentId, jobId });
    await this.forgetOldCancel(request);
    const attached = await this.attach(jobId);
    if (attached.kind === "finished") {
      jobLog.info("re-attached to a finished agent job: its stored result is used, no model call");
      return this.deliver(attached.outcome, request);
    }
    const lease = await this.takeSlot(jobId, request.signal);
    try {
      if (attached.kind === "none") await this.enqueue(jobId, request, jobLog);
      else jobLog.info("re-attached to a queued or running agent job");
      let settlement = await this.waitRequeuingVanished(jobId, request, jobLog);
      if (settlement.state === "aborted") settlement = await this.cancel(jobId, request, jobLog);
      return await this.settle(settlement, request);
    } catch (error) {
      if (request.signal.aborted && !(error instanceof AgentFailedError)) {
        throw new AgentFailedError("the run was cancelled before this agent was queued", { ...ZERO_USAGE }, 0, { cause: error });
      }
      throw error;
    } finally {
      await lease?.release().catch((error: unknown) => jobLog.warn({ err: error }, "could not give back an installation slot; it expires by itself"));
    }
  }

  /**
   * Waits for the job; a job that vanished from the queue without a cancel
   * (Redis restarted without persistence, and took the queue with it) is
   * queued again under the same id, up to `MAX_REQUEUES` times: the agent
   * goes back to the queue instead of failing.
   */
  private async waitRequeuingVanished(jobId: string, request: AgentRequest, jobLog: Logger): Promise<JobSettlement> {
    let settlement = await this.queue.waitForJob(jobId, request.signal);
    for (let requeued = 1; settlement.state === "missing" && requeued <= MAX_REQUEUES && !request.signal.aborted; requeued++) {
      jobLog.warn({ requeued }, "the agent's job vanished from the queue (did Redis restart without persistence?); queued again");
      await this.enqueue(jobId, request, jobLog);
      settlement = await this.queue.waitForJob(jobId, request.signal);
    }
    return settlement;
  }

  /** A run resumed under its id after a cancel or a stop must not find its agents cancelled or stopped by the old marks. */
  private async forgetOldCancel(request: AgentRequest): Promise<void> {
    if (!request.signal.aborted) this.started ??= this.queue.redis.del(this.queue.keys.cancel(request.runId), this.queue.keys.stops(request.runId));
    await this.started;
  }

  /** What is already in Redis under `jobId`. */
  private async attach(jobId: string): Promise<Attached> {
    const settlement = await this.queue.settlementOf(jobId);
    if (settlement === null) return { kind: "pending" };
    if (settlement.state === "completed" && isAgentJobOutcome(settlement.value) && settlement.value.status === "finished") {
      return { kind: "finished", outcome: settlement.value };
    }
    // A failure from an earlier incarnation runs again, like a failure the journal never kept.
    if (settlement.state !== "missing") await this.queue.queue.remove(jobId);
    return { kind: "none" };
  }

  /** One of the installation's slots, when that cap applies; a cancel while waiting fails the agent. */
  private async takeSlot(jobId: string, signal: AbortSignal): Promise<SemaphoreLease | null> {
    try {
      return this.slots ? await this.slots.acquire(jobId, signal) : null;
    } catch (error) {
      if (signal.aborted) throw new AgentFailedError("the run was cancelled before this agent was queued", { ...ZERO_USAGE }, 0);
      throw error;
    }
  }

  private async enqueue(jobId: string, request: AgentRequest, jobLog: Logger): Promise<void> {
    request.signal.throwIfAborted();
    const priority = jobPriority(this.enqueuedJobs, this.runCreatedAt);
    this.enqueuedJobs += 1;
    const keepSeconds = Math.ceil(this.keepMs / 1000);
    // After a Redis restart, the deployment-wide cap must be back before the job can be taken.
    await this.queue.ensureCap();
    await this.queue.queue.add("agent", toAgentJobData(request, this.runContext, await this.carriedSubject(request, jobLog)), {
      jobId,
      priority,
      attempts: 1,
      removeOnComplete: { age: keepSeconds },
      removeOnFail: { age: keepSeconds },
    });
    jobLog.debug({ priority }, "agent job queued");
  }

  /** The request's subject change as data for its job, when the owner can send it so; a failure leaves it to the remote. */
  private async carriedSubject(request: AgentRequest, jobLog: Logger): Promise<CarriedChange | null> {
    const subject = subjectChange(request.options.subject);
    if (!subject || !this.options.carrySubject) return null;
    try {
      return await this.options.carrySubject(subject);
    } catch (error) {
      jobLog.warn({ err: error, branch: subject.branch }, "could not read the subject's change to send it; the worker fetches it");
      return null;
    }
  }

  /** The run was cancelled, or this one agent stopped, while its job waited or ran. */
  private async cancel(jobId: string, request: AgentRequest, jobLog: Logger): Promise<JobSettlement> {
    const reason: unknown = request.signal.reason;
    const stopped = reason instanceof AgentStoppedError;
    if (stopped) await this.markStopped(request, reason);
    else await this.markCancelled(request);
    if ((await this.removeIfWaiting(jobId)) === 1) {
      const what = stopped ? "the agent was stopped" : "the run was cancelled";
      throw new AgentFailedError(`${what} before a worker started it`, { ...ZERO_USAGE }, 0, { stopped });
    }
    jobLog.info({ graceMs: this.cancelGraceMs }, "run cancelled: waiting for the running agent to stop and report its spend");
    const settlement = await this.queue.waitForJob(jobId, AbortSignal.timeout(this.cancelGraceMs));
    if (settlement.state === "aborted") {
      jobLog.warn("the cancelled agent did not report in time; what it spent is not counted in the run's totals");
      throw new AgentFailedError(
        `the run was cancelled while this agent ran, and its worker did not report within ${this.cancelGraceMs} ms; its spend is not counted`,
        { ...ZERO_USAGE },
        0,
      );
    }
    return settlement;
  }

  /**
   * Takes the job back when no worker has taken it yet. Called after the
   * mark is set, so a worker that takes it after the state was read finds
   * the mark and spends nothing. A job already running or finished is never
   * removed: its outcome carries what the agent spent, and a finished job's
   * outcome would be lost with it (the worker's poll can be quicker than
   * this remove).
   */
  private async removeIfWaiting(jobId: string): Promise<number> {
    const state = await this.queue.queue.getJobState(jobId).catch(() => "unknown");
    if (!WAITING_STATES.has(state)) return 0;
    return this.queue.queue.remove(jobId).catch(() => 0);
  }

  /** Workers poll this mark and abort the run's agents between turns. */
  private async markCancelled(request: AgentRequest): Promise<void> {
    this.cancelMarked ??= this.queue.redis.set(this.queue.keys.cancel(request.runId), "1", "PX", this.keepMs).catch((error: unknown) => {
      this.cancelMarked = null;
      throw error;
    });
    await this.cancelMarked;
  }

  /** Only this agent: the worker running it polls the run's stop marks, which say why. */
  private async markStopped(request: AgentRequest, reason: AgentStoppedError): Promise<void> {
    const key = this.queue.keys.stops(request.runId);
    await this.queue.redis.multi().hset(key, request.agentId, reason.reason).pexpire(key, this.keepMs).exec();
  }

  private async settle(settlement: JobSettlement, request: AgentRequest): Promise<AgentResult> {
    switch (settlement.state) {
      case "completed":
        if (!isAgentJobOutcome(settlement.value)) {
          throw new AgentFailedError("the worker stored a result this version cannot read", { ...ZERO_USAGE }, 0);
        }
        return this.deliver(settlement.value, request);
      case "failed":
        throw new AgentFailedError(`the worker could not run the agent: ${settlement.reason}`, { ...ZERO_USAGE }, 0);
      case "missing":
        throw new AgentFailedError(`the agent's job vanished from the queue ${MAX_REQUEUES + 1} times before it finished (is Redis losing its data?)`, { ...ZERO_USAGE }, 0);
      case "aborted":
        throw new AgentFailedError("the run was cancelled", { ...ZERO_USAGE }, 0);
    }
  }

  /** The outcome as the run sees it, its change fetched first where the run needs it (`receiveChange`). */
  private async deliver(outcome: AgentJobOutcome, request: AgentRequest): Promise<AgentResult> {
    if (outcome.transcript !== undefined) this.options.transcripts?.receive(request.runId, request.agentId, outcome.transcript);
    if (typeof outcome.note === "string") this.options.onNote?.(outcome.note);
    const change = outcome.status === "finished" ? outcome.result.change : outcome.change;
    const receive = this.options.receiveChange;
    if (change && receive) {
      try {
        await receive(change, outcome.carried);
      } catch (error) {
        const spent = outcome.status === "finished" ? outcome.result : outcome;
        throw new AgentFailedError(`the agent's change on ${change.branch} could not be brought into the run's clone: ${messageOf(error)}`, spent.usage, spent.costUsd, {
          cause: error,
          change,
        });
      }
    }
    return resultOf(outcome);
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

