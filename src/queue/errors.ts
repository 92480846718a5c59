/**
 * Errors of the agent queue. Agent failures themselves are reported as
 * `AgentFailedError` (from the runtime), with the spend the worker reported.
 */
import { DynflowError } from "../errors.js";

/** An option of the queue, a worker or a cap is out of range. */
export class QueueOptionError extends DynflowError {
  declare readonly code: "queue_option_invalid";
  /** The option at fault, e.g. `concurrency`. */
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, expected: string) {
    super("queue_option_invalid", `Expected \`${option}\` to be ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
    this.option = option;
    this.value = value;
  }
}

/** A job's data was written by an incompatible dynflow version (or is not an agent job at all). */
export class IncompatibleJobError extends DynflowError {
  declare readonly code: "queue_job_incompatible";
  readonly jobId: string;

  constructor(jobId: string, problem: string) {
    super(
      "queue_job_incompatible",
      `agent job ${jobId} cannot be run by this worker: ${problem}. Run the same dynflow version on the web process and every worker.`,
    );
    this.jobId = jobId;
  }
}

/** Throws `QueueOptionError` unless `value` is a whole number from `min` up to `max`. */
export function checkInteger(option: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new QueueOptionError(option, value, `a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? " and up" : ` to ${max}`}`);
  }
  return value;
}

/** The worker process is stopping: the agent it was running goes back to the queue for another worker. */
export class WorkerStoppingError extends DynflowError {
  declare readonly code: "worker_stopping";

  constructor() {
    super("worker_stopping", "the worker is stopping; the agent goes back to the queue and another worker runs it");
  }
}

/** The agent's job is no longer in Redis (a restart without persistence): this copy stops; its owner queues the agent again. */
export class AgentJobVanishedError extends DynflowError {
  declare readonly code: "agent_job_vanished";

  constructor(readonly jobId: string) {
    super("agent_job_vanished", `the agent's job ${jobId} vanished from the queue (did Redis restart?); its owner queues the agent again`);
  }
}
