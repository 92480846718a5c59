/**
 * One agent call as a BullMQ job: its id, its data, and the outcome a worker
 * stores as the job's return value. Pure functions, shared by both sides.
 */
import { DynflowError, messageOf } from "../../errors.js";
import { AgentFailedError } from "../../runtime/errors.js";
import { isObject, ZERO_USAGE, type AgentRequest, type AgentResult, type JsonValue } from "../../runtime/types.js";
import type { CarriedChange } from "../../workspace/index.js";
import { IncompatibleJobError } from "../errors.js";
import { agentRound } from "./agent-order.js";
import { AGENT_JOB_VERSION, type AgentJobData, type AgentJobOutcome, type QueuedRunContext } from "./types.js";

/** BullMQ's highest priority number (2^21 - 1); lower numbers run sooner. */
export const MAX_JOB_PRIORITY = 2 ** 21 - 1;

/**
 * The job id of one attempt of one agent call: `<runId>:<key>:<attempt>`.
 * The key is content-derived (see journal-key.ts), so a relaunched owner
 * computes the same id and re-attaches to the job instead of paying again.
 * BullMQ accepts exactly two colons in a custom id; any colon inside a part is
 * percent-encoded (injective, so ids never collide).
 */
export function agentJobId(runId: string, key: string, attempt: number): string {
  const part = (text: string) => text.replace(/[%:]/g, (c) => (c === "%" ? "%25" : "%3A"));
  return `${part(runId)}:${part(key)}:${attempt}`;
}

/** Ages a job priority tells apart within a round: tenths of a second, modulo this. */
const PRIORITY_AGES = 8192;

/**
 * BullMQ priority of a run's next job (lower numbers run sooner; 0 would mean
 * "no priority"): its round (`agentRound`), then the run's age in tenths of a
 * second since the epoch modulo 8,192, so that among jobs of one round the
 * older run goes first (see agent-order.ts); runs created within the same
 * tenth go in the order their jobs were queued. The age wraps every 13.6
 * minutes: a run created just after a wrap goes before one created just
 * before it, within the same round only. Rounds past the 255th share the last.
 */
export function jobPriority(startedByRun: number, runCreatedAt = 0): number {
  const age = Math.floor(Math.max(0, Math.floor(runCreatedAt) || 0) / 100) % PRIORITY_AGES;
  const lastRound = Math.floor((MAX_JOB_PRIORITY - 1) / PRIORITY_AGES) - 1;
  return 1 + Math.min(agentRound(startedByRun), lastRound) * PRIORITY_AGES + age;
}

/** The job data of `request`: its serialisable part plus the run context, and its subject's change when it goes as data. */
export function toAgentJobData(request: AgentRequest, context: QueuedRunContext, subject?: CarriedChange | null): AgentJobData {
  const { runId, agentId, key, label, prompt, options, attempt, feedback } = request;
  const serialized = { runId, agentId, key, label, prompt, options, attempt, ...(feedback === undefined ? {} : { feedback }) };
  // A JSON round trip drops undefined fields now rather than surprising anyone on the worker.
  return JSON.parse(JSON.stringify({ v: AGENT_JOB_VERSION, context, request: serialized, ...(subject ? { subject } : {}) })) as AgentJobData;
}

/** The change a request's subject names (a refuter's), if any. */
export function subjectChange(subject: JsonValue | undefined): { branch: string; commit: string } | null {
  if (!isObject(subject)) return null;
  const change = subject["change"];
  if (!isObject(change)) return null;
  const { branch, commit } = change;
  return typeof branch === "string" && branch !== "" && typeof commit === "string" ? { branch, commit } : null;
}

/** Checks a job's data before a worker acts on it; throws `IncompatibleJobError`. */
export function readAgentJobData(jobId: string, data: unknown): AgentJobData {
  if (typeof data !== "object" || data === null) throw new IncompatibleJobError(jobId, "its data is not an object");
  const { v, context, request } = data as Partial<AgentJobData>;
  if (v !== AGENT_JOB_VERSION) throw new IncompatibleJobError(jobId, `it is version ${String(v)}, this worker reads version ${AGENT_JOB_VERSION}`);
  if (typeof context !== "object" || context === null || typeof context.runId !== "string" || typeof context.baseCommit !== "string") {
    throw new IncompatibleJobError(jobId, "its run context is missing");
  }
  if (typeof request !== "object" || request === null || typeof request.prompt !== "string" || typeof request.key !== "string") {
    throw new IncompatibleJobError(jobId, "its agent request is missing");
  }
  return data as AgentJobData;
}

/** The outcome a worker stores for a result. */
export function finishedOutcome(result: AgentResult): AgentJobOutcome {
  return {
    status: "finished",
    result: { output: result.output, usage: result.usage, costUsd: result.costUsd, change: result.change ?? null, meta: result.meta ?? {} },
  };
}

/** The outcome a worker stores for an agent that threw; the spend travels with it when the error carries it. */
export function failedOutcome(error: unknown): AgentJobOutcome {
  const message = messageOf(error);
  const code = error instanceof DynflowError ? error.code : null;
  if (error instanceof AgentFailedError) {
    return { status: "failed", message, code, usage: error.usage, costUsd: error.costUsd, change: error.change };
  }
  return { status: "failed", message, code, usage: { ...ZERO_USAGE }, costUsd: 0, change: null };
}

/** The owner's side of an outcome: the result, or an `AgentFailedError` carrying the reported spend. */
export function resultOf(outcome: AgentJobOutcome): AgentResult {
  if (outcome.status === "finished") return outcome.result;
  throw new AgentFailedError(outcome.message, outcome.usage, outcome.costUsd, { change: outcome.change, stopped: outcome.code === "agent_stopped" });
}

/** True for a stored value that is an outcome this version understands. */
export function isAgentJobOutcome(value: unknown): value is AgentJobOutcome {
  if (typeof value !== "object" || value === null) return false;
  const status = (value as { status?: unknown }).status;
  return status === "finished" || status === "failed";
}
