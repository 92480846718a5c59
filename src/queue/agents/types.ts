/**
 * What crosses Redis between the process that owns a run and the worker
 * processes that run its agents. Everything here is JSON: functions and
 * signals of an `AgentRequest` are rebuilt on the worker side.
 */
import type { AgentRunnerDeps } from "../../agents/create-agent-runner.js";
import type { Role } from "../../agents/model/index.js";
import type { CommandsConfig } from "../../command-sandbox/index.js";
import type { AgentRequest, AgentResult, AgentRunner, ChangeRef, TokenUsage } from "../../runtime/types.js";
import type { TranscriptEntryInput } from "../../store/index.js";
import type { CarriedChange, CommitIdentity } from "../../workspace/index.js";

/** Queue agent jobs go to unless configured otherwise. */
export const DEFAULT_AGENT_QUEUE = "dynflow-agents";

/** Prefix of every Redis key dynflow itself writes next to BullMQ's (semaphores, cancel marks). */
export const DEFAULT_KEY_PREFIX = "dynflow";

/**
 * The largest change (bytes of its objects) that travels as data in an
 * outcome or a job instead of through the remote; what an owner puts in
 * `QueuedRunContext.carryChanges`.
 */
export const CARRY_CHANGE_BYTES = 256 * 1024;

/** Bumped when the job data changes shape, so an old worker refuses a new job instead of misreading it. */
export const AGENT_JOB_VERSION = 1;

/**
 * Where a worker finds the run's repository:
 * - `local`: a path every worker can open (one machine, or a shared volume);
 * - `remote`: a clone URL; each worker keeps its own blobless clone and
 *   exchanges worker branches through the remote.
 */
export type RepositorySource = { kind: "local"; path: string } | { kind: "remote"; cloneUrl: string };

/** What a worker needs to rebuild the run's agent runner; constant for the whole run. */
export interface QueuedRunContext {
  runId: string;
  /** GitHub installation of the run; null for a local run. Keys the per-installation cap and the worker's tokens. */
  installationId: number | null;
  repository: RepositorySource;
  /** Full id of the commit every worker forks from. */
  baseCommit: string;
  /** The run's task in words (the shared first block of every agent). */
  task: string;
  models?: Partial<Record<Role, string>>;
  /** Identity of worker commits. */
  author: CommitIdentity;
  protectedPaths?: string[];
  limits?: AgentRunnerDeps["limits"];
  /**
   * The repository's commands, set when the owner could sandbox them: a worker
   * that can too writes the base tree, runs `setup` once per run, and gives its
   * agents `run_command`. Absent (or an older worker): no such tool.
   */
  commands?: CommandsConfig;
  /** Send the agents' model calls through the Message Batches API (an audit with `batch: true`). */
  batch?: boolean;
  /**
   * Set by an owner that takes changes as data: a worker with a remote
   * repository sends a change of one commit on the base, up to `maxBytes`,
   * in the job's outcome (`AgentJobOutcome.carried`) instead of pushing it,
   * and finds a refuter's subject in the job (`AgentJobData.subject`).
   * Absent (an older owner): every change goes through the remote.
   */
  carryChanges?: { maxBytes: number };
}

/** The serialisable part of an `AgentRequest`: everything but `validate` and `signal`, rebuilt on the worker. */
export type SerializedAgentRequest = Omit<AgentRequest, "validate" | "signal">;

/** Data of one agent job. */
export interface AgentJobData {
  v: typeof AGENT_JOB_VERSION;
  context: QueuedRunContext;
  request: SerializedAgentRequest;
  /** The change the request's subject names, as data, when the owner could send it so (see `carryChanges`). */
  subject?: CarriedChange;
}

/**
 * What a worker stores as the job's return value. An agent that failed is a
 * *completed* job with `status: "failed"`, so the spend it reports travels
 * atomically with the completion; a BullMQ-failed job means the worker
 * itself could not run the agent (no spend is known).
 */
export type AgentJobOutcome = (
  | { status: "finished"; result: AgentResult }
  | { status: "failed"; message: string; code: string | null; usage: TokenUsage; costUsd: number; change: ChangeRef | null }
) & {
  /**
   * The agent's transcript, from a worker without the database: the owner
   * stores it (see ship-transcripts.ts). Absent when the worker stored it
   * itself or recorded none; an older owner ignores it.
   */
  transcript?: TranscriptEntryInput[];
  /** What this worker could not offer the agent (`RunnerHandle.note`); the owner adds it to the run's report. */
  note?: string;
  /** The outcome's change as data, not pushed (see `QueuedRunContext.carryChanges`); absent when it went through the remote. */
  carried?: CarriedChange;
};

/** A runner rebuilt for one run on a worker, and how to release what it holds (git processes, clones). */
export interface RunnerHandle {
  runner: AgentRunner;
  /** Why this worker's agents of the run lack something the owner offers (`run_command`), for the run's report. */
  note?: string;
  /** How changes reach this worker and leave it, when the run's repository is a remote one (each worker has its own clone). */
  changes?: WorkerChanges;
  close(): Promise<void>;
}

/** A worker's side of the exchange of changes with the owner and the other workers (share-changes.ts). */
export interface WorkerChanges {
  /** Before the agent: the change its subject names (a refuter's), from the job when it came as data, else from the remote. */
  receiveSubject(data: AgentJobData): Promise<void>;
  /**
   * After the agent: its outcome with the change as data when the run takes
   * that and the change fits, else once the change is pushed. A finished
   * agent whose change could not be pushed fails (its spend still counts).
   */
  send(outcome: AgentJobOutcome, context: QueuedRunContext): Promise<AgentJobOutcome>;
}

/** Builds a runner for a run context (see `createRunnerFactory` for the default). */
export type CreateRunner = (context: QueuedRunContext) => Promise<RunnerHandle>;
