/**
 * The store's public contract: what the app keeps between webhooks, across
 * crashes and across processes. Both engines (SQLite, PostgreSQL) implement
 * exactly this; see docs/storage.md for the tables behind it.
 */
import type { Journal, JournalEntry, JsonValue, RunErrorInfo, RunEvent, RunStatus } from "../runtime/types.js";
import type { CarriedChange } from "../workspace/index.js";

/** What started a run: a free-text task, a saved workflow, or a configured audit. */
export type RunKind = "task" | "workflow" | "audit";

/** Where a run is in its life; the last five are final and match the runtime's `RunStatus`. */
export type RunRecordStatus = "planned" | "awaiting-approval" | "queued" | "running" | RunStatus;

/** One run as stored. GitHub ids are numbers (they fit in a double). */
export interface RunRecord {
  id: string;
  installationId: number;
  owner: string;
  repo: string;
  /** Issue or pull request the command was written on; null for a scheduled audit. */
  issueNumber: number | null;
  /** The comment that started the run; null when no comment did (a schedule). */
  commandCommentId: number | null;
  /** GitHub login of who asked for the run. */
  requester: string | null;
  kind: RunKind;
  /** The task in words (`kind: "task"`). */
  task: string | null;
  /** Name of the saved workflow or audit (`kind: "workflow" | "audit"`). */
  workflow: string | null;
  /** The script's `args`. */
  args: JsonValue;
  baseRef: string | null;
  baseSha: string | null;
  status: RunRecordStatus;
  /** The plan script, once planned. */
  script: string | null;
  /** How the run was planned (e.g. `{ kind, reason, estimate }`). */
  plan: JsonValue | null;
  /** The resolved caps and budgets of the run. */
  limits: JsonValue | null;
  statusCommentId: number | null;
  checkRunId: number | null;
  prNumber: number | null;
  /** Summary of the outcome, for reports and `/dynflow status`. */
  result: JsonValue | null;
  error: RunErrorInfo | null;
  /** Milliseconds from the store's clock. */
  createdAt: number;
  updatedAt: number;
  /** Starts at 1 and grows by one on every update; see `RunStore.update`. */
  version: number;
}

/** What `runs.create` needs; every other field starts null (`args`: `{}`). */
export type NewRun = Pick<RunRecord, "id" | "installationId" | "owner" | "repo" | "kind" | "status"> &
  Partial<Omit<RunRecord, "id" | "installationId" | "owner" | "repo" | "kind" | "status" | "createdAt" | "updatedAt" | "version">>;

/** Fields `runs.update` may change: an undefined field is left as is, null clears it. */
export type RunPatch = Partial<Omit<RunRecord, "id" | "createdAt" | "updatedAt" | "version">>;

export interface RunStore {
  /** Records a new run at version 1. Throws `DuplicateRunError` for a taken id or command comment. */
  create(run: NewRun): Promise<RunRecord>;
  get(id: string): Promise<RunRecord | undefined>;
  /**
   * Applies `patch` and bumps the version in one statement. With
   * `expectVersion`, applies only if the run is still at that version and
   * throws `StaleRunError` otherwise; throws `RunNotFoundError` for an unknown id.
   */
  update(id: string, patch: RunPatch, options?: { expectVersion?: number }): Promise<RunRecord>;
  /** The most recently created run on an issue or pull request (ties broken by id). */
  latestForIssue(where: { owner: string; repo: string; issueNumber: number }): Promise<RunRecord | undefined>;
  /** Runs in any of `statuses`, oldest first. */
  listByStatus(statuses: readonly RunRecordStatus[]): Promise<RunRecord[]>;
  /** Ids of the runs in any of `statuses`, oldest first; reads no other column, so one damaged row cannot fail the list. */
  listIdsByStatus(statuses: readonly RunRecordStatus[]): Promise<string[]>;
  findByCommandComment(commentId: number): Promise<RunRecord | undefined>;
  /** Runs newest first, filtered by repository and status. */
  listRecent(query?: RunListQuery): Promise<RunRecord[]>;
}

/** One stored progress event. */
export interface StoredEvent {
  /** 1, 2, 3, ... per run, in the order appended. */
  seq: number;
  event: RunEvent;
  createdAt: number;
}

export interface EventStore {
  /** Appends an event and returns its sequence number (assigned atomically, no gaps, no duplicates). */
  append(runId: string, event: RunEvent): Promise<number>;
  /**
   * Appends events in order in one transaction, with consecutive numbers (all
   * or none), and returns the last one's; with no events, writes nothing and
   * returns 0.
   */
  appendAll(runId: string, events: readonly RunEvent[]): Promise<number>;
  /** Events of a run in sequence order, after `afterSeq` when given, at most `limit` (default 1,000). */
  list(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<StoredEvent[]>;
}

export interface DeliveryStore {
  /**
   * Remembers a webhook delivery. `true` the first time an id is seen, `false`
   * for a redelivery. Race-safe across processes: decided by the unique key.
   */
  record(deliveryId: string, name: string): Promise<boolean>;
  /**
   * Claims a delivery for `holder` until now + ttlMs: `claimed` when it is
   * new, or its earlier claim expired or was given back without it being
   * done; `done` once a holder marked it done (or `record` saw it); `busy`
   * while another holder's claim lasts. Race-safe: one statement decides.
   */
  claim(deliveryId: string, name: string, holder: string, ttlMs: number): Promise<DeliveryClaim>;
  /** Moves an unfinished delivery's claim from `from` to `to` (a holder known to be gone); `true` when it did. */
  takeOver(deliveryId: string, from: string, to: string, ttlMs: number): Promise<boolean>;
  /** Extends `holder`'s claim; `false` when it is no longer `holder`'s. */
  renew(deliveryId: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Marks the delivery done (its run or reply exists): redeliveries are ignored from now on. */
  complete(deliveryId: string, holder: string): Promise<void>;
  /** Gives an unfinished claim back, so the next delivery of it takes it at once. */
  release(deliveryId: string, holder: string): Promise<void>;
  /** Forgets deliveries received before `before` (ms); returns how many. */
  prune(before: number): Promise<number>;
}

/** What `DeliveryStore.claim` found. */
export type DeliveryClaim = { state: "claimed" } | { state: "done" } | { state: "busy"; holder: string; until: number };

export interface LeaseStore {
  /**
   * Takes the lease when it is free or expired. One statement, so two
   * processes never both win. Not re-entrant: while the lease is unexpired,
   * `holder` itself is refused too, so a holder names one piece of work (a
   * process and a step), never a whole process.
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Who holds the lease and until when; undefined when it is free or expired. */
  read(name: string): Promise<{ holder: string; expiresAt: number } | undefined>;
  /**
   * Moves an unexpired lease from `from` to `to` (expiring now + ttlMs) only if
   * `from` still holds it: for a holder known to be dead, compared and swapped
   * in one statement.
   */
  takeOver(name: string, from: string, to: string, ttlMs: number): Promise<boolean>;
  /** Extends a lease `holder` still holds unexpired; `false` means it was lost: stop the work it guards. */
  renew(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` has it; `true` when it did. */
  release(name: string, holder: string): Promise<boolean>;
}

/** Identifies a repository within an installation. */
export interface RepoKey {
  installationId: number;
  owner: string;
  repo: string;
}

/** Identifies one schedule. */
export interface ScheduleKey extends RepoKey {
  name: string;
}

/** A schedule as the repository config declares it, with its next occurrence computed by the caller. */
export interface ScheduleInput {
  name: string;
  cron: string;
  timezone: string;
  spec: JsonValue;
  /** Next occurrence (ms). Ignored for an existing schedule whose cron and timezone did not change. */
  nextRunAt: number;
}

export interface ScheduleRecord extends ScheduleKey {
  cron: string;
  timezone: string;
  spec: JsonValue;
  nextRunAt: number;
  /** The occurrence last claimed (ms), or null. */
  lastRunAt: number | null;
}

export interface ScheduleStore {
  /**
   * Makes `entries` the repository's whole set of schedules: others are
   * removed, new ones added, changed ones updated. A schedule whose cron and
   * timezone are unchanged keeps its pending occurrence, so re-reading the
   * config never skips or repeats one.
   */
  upsertForRepo(repo: RepoKey, entries: readonly ScheduleInput[]): Promise<void>;
  /** The repository's schedules, by name. */
  listForRepo(repo: RepoKey): Promise<ScheduleRecord[]>;
  removeForRepo(repo: RepoKey): Promise<number>;
  removeForInstallation(installationId: number): Promise<number>;
  /** Schedules whose next occurrence is at or before `now`, earliest first. */
  due(now: number): Promise<ScheduleRecord[]>;
  /**
   * Compare-and-set: moves the schedule from `expectedNextRunAt` to
   * `newNextRunAt` and records `expectedNextRunAt` as its last run. `true` for
   * exactly one of any number of processes claiming the same occurrence.
   */
  claim(key: ScheduleKey, expectedNextRunAt: number, newNextRunAt: number): Promise<boolean>;
}

/** Which issue an audit reports into, and the findings it already reported. */
export interface AuditIssueRecord {
  issueNumber: number;
  fingerprints: string[];
}

export interface AuditIssueKey {
  owner: string;
  repo: string;
  audit: string;
}

export interface AuditIssueStore {
  get(key: AuditIssueKey): Promise<AuditIssueRecord | undefined>;
  set(key: AuditIssueKey, value: AuditIssueRecord): Promise<void>;
}

/** One transcript entry as written: `body` is JSON, `bytes` what it counts against the bounds. */
export interface TranscriptEntryInput {
  runId: string;
  agentId: string;
  /** One agent execution's stream (an agent run again on resume writes a new one). */
  execution: string;
  /** 0, 1, 2, ... within the stream. */
  seq: number;
  kind: string;
  body: JsonValue;
  /** Serialised size of `body`, counted against the run's bound. */
  bytes: number;
  /** Milliseconds. */
  at: number;
}

/** A stored transcript entry. */
export interface TranscriptEntry {
  agentId: string;
  execution: string;
  seq: number;
  kind: string;
  body: JsonValue;
  bytes: number;
  at: number;
}

/** What `transcripts.append` kept of a batch. */
export interface TranscriptAppendResult {
  /** Entries written. */
  stored: number;
  /** False when the run's bound refused the batch (nothing of it was written). */
  accepted: boolean;
}

export interface TranscriptStore {
  /**
   * Writes a batch in one statement per run, after reserving its bytes
   * against the run's bound (`runLimitBytes`): a batch that does not fit is
   * not written, the run is marked truncated, and `accepted` is false.
   * Entries whose key exists already are skipped (a retried flush).
   * `unbounded` entries (truncation markers, run documents) are written
   * without counting.
   */
  append(entries: readonly TranscriptEntryInput[], options: { runLimitBytes: number; unbounded?: boolean }): Promise<TranscriptAppendResult>;
  /** One agent's entries, every execution, oldest execution first, in order. */
  listAgent(runId: string, agentId: string): Promise<TranscriptEntry[]>;
  /** A run's entries of the given kinds (e.g. every agent's `end`), in write order per agent. */
  listKinds(runId: string, kinds: readonly string[]): Promise<TranscriptEntry[]>;
  /** Bytes the run's transcripts hold and whether its bound cut any. */
  usage(runId: string): Promise<{ bytes: number; truncated: boolean }>;
  /** Deletes entries (and budgets) written before `before` (ms); returns the entries deleted. */
  prune(before: number): Promise<number>;
}

/** What the dashboard asks of the process executing a run. */
export type RunControlAction = "cancel" | "stop-agent";

export interface RunControl {
  seq: number;
  action: RunControlAction;
  /** The agent to stop (`stop-agent`). */
  agentId: string | null;
  /** Login of who asked, or null (a local run). */
  requestedBy: string | null;
  createdAt: number;
}

export interface RunControlStore {
  /** Records a request and returns its number (1, 2, ... per run). */
  request(runId: string, control: { action: RunControlAction; agentId?: string | null; requestedBy?: string | null }): Promise<number>;
  /** Requests after `afterSeq`, in order. */
  list(runId: string, afterSeq?: number): Promise<RunControl[]>;
}

/** Which runs `runs.listRecent` returns. */
export interface RunListQuery {
  owner?: string;
  repo?: string;
  statuses?: readonly RunRecordStatus[];
  /** Runs created before this time (ms), for the next page. */
  before?: number;
  /** At most this many (default 50). */
  limit?: number;
}

/** Where a CI wait is: waiting for checks (or repairing), or settled (`cancelled`: by `/dynflow cancel`). */
export type CiWaitState = "waiting" | "passed" | "failed" | "timed-out" | "cancelled";

/** A run's consolidated branch waiting for the repository's own CI (see docs/verification.md#ci). */
export interface CiWait {
  runId: string;
  installationId: number;
  owner: string;
  repo: string;
  /** The consolidated branch, `dynflow/<run-id>`. */
  branch: string;
  /** The commit whose checks count: the branch's head after the last push. */
  headSha: string;
  /** 0 for the run's own result; N after repair round N. */
  round: number;
  state: CiWaitState;
  /** When the current round times out (ms, the store's clock). */
  deadline: number;
  /** Bumped by every webhook about the head commit; the CI step evaluates again while it moves. */
  signals: number;
  prNumber: number | null;
  prNodeId: string | null;
  /** Whether green CI makes the pull request ready (false when the run itself left it a draft). */
  readyWhenGreen: boolean;
  /** The `ci:` settings of the run (parsed where read). */
  settings: JsonValue;
  /** One entry per finished round (parsed where read). */
  history: JsonValue;
  createdAt: number;
  updatedAt: number;
}

export type NewCiWait = Omit<CiWait, "signals" | "createdAt" | "updatedAt">;

/** Fields `ciWaits.update` may change. */
export type CiWaitPatch = Partial<Pick<CiWait, "headSha" | "round" | "state" | "deadline" | "history">>;

export interface CiWaitStore {
  /** Records the wait, replacing an earlier one of the run (a resumed run waits anew). */
  put(wait: NewCiWait): Promise<CiWait>;
  get(runId: string): Promise<CiWait | undefined>;
  /** Bumps `signals` of every waiting row on that commit; resolves their run ids. */
  signalHead(where: { owner: string; repo: string; headSha: string }): Promise<string[]>;
  /** Run ids of the waiting rows, oldest first; with `dueBy`, only those whose deadline is at or before it. */
  listWaiting(options?: { dueBy?: number }): Promise<string[]>;
  /**
   * Applies `patch` when the row is still in `expect` (state and, when
   * given, signals and round); `false` when it moved on meanwhile. One statement.
   */
  update(runId: string, patch: CiWaitPatch, expect: { state: CiWaitState; signals?: number; round?: number }): Promise<boolean>;
}

/** A cleanup still to do: the closes seen when it was read (`complete` takes it back). */
export interface PendingCleanup {
  runId: string;
  requests: number;
}

export interface BranchCleanupStore {
  /** Records one more close of the run's pull request: its cleanup is pending until `complete`. */
  request(runId: string): Promise<void>;
  /** The run's pending cleanup, or undefined when none is pending. */
  pending(runId: string): Promise<PendingCleanup | undefined>;
  /** Run ids with a pending cleanup, oldest request first. */
  listPending(): Promise<string[]>;
  /** Marks the cleanup done up to `cleanup.requests`; a close recorded since stays pending. */
  complete(cleanup: PendingCleanup): Promise<void>;
}

/**
 * Worker changes that came to a run's owner as data (scaled out): kept until
 * the run's branches are pushed, so a process that takes the run over can
 * write them into its own clone.
 */
export interface ChangeObjectStore {
  /** Keeps a change of the run, on its worker branch; the same commit saved again changes nothing. */
  save(runId: string, branch: string, change: CarriedChange): Promise<void>;
  /** The run's changes, in the order saved. */
  list(runId: string): Promise<{ branch: string; change: CarriedChange }[]>;
  /** Forgets the run's changes (its branches are on the remote now). */
  forget(runId: string): Promise<void>;
  /** Forgets the changes of every run that saved none since `before` (ms); resolves with how many went. */
  prune(before: number): Promise<number>;
}

export type StoreEngine = "sqlite" | "postgres";

/** Durable state of the app. Open with `openStore`, close with `close()`. */
export interface Store {
  readonly engine: StoreEngine;
  readonly runs: RunStore;
  readonly events: EventStore;
  readonly deliveries: DeliveryStore;
  readonly leases: LeaseStore;
  readonly schedules: ScheduleStore;
  readonly auditIssues: AuditIssueStore;
  /** Agent transcripts (bounded, pruned after the retention period). */
  readonly transcripts: TranscriptStore;
  /** Stop and cancel requests for executing runs. */
  readonly controls: RunControlStore;
  /** Consolidated branches waiting for the repository's CI. */
  readonly ciWaits: CiWaitStore;
  /** Runs whose pull request was closed and whose worker branches are still to delete. */
  readonly branchCleanups: BranchCleanupStore;
  /** Worker changes that came as data, until the run's branches are pushed. */
  readonly changeObjects: ChangeObjectStore;
  /** The run's agent journal. `put` keeps the first entry for a key, so a result is never counted twice. */
  journal(runId: string): Journal;
  /** Every journaled entry of a run, in the order journaled. */
  journalEntries(runId: string): Promise<JournalEntry[]>;
  /** Resolves when the database answers a query (`/healthz`); rejects when it does not. */
  ping(): Promise<void>;
  /** Closes the connection(s). The store cannot be used afterwards. */
  close(): Promise<void>;
}
