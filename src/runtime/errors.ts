/**
 * Errors the runtime raises while orchestrating a script. Sandbox limit errors
 * live with the sandbox; script validation errors with the script parser.
 */
import { DynflowError } from "../errors.js";
import type { ChangeRef, TokenUsage } from "./types.js";

/** A run-wide cap stopped new work; finished work is kept. */
export class CapExceededError extends DynflowError {
  constructor(
    readonly cap: "maxAgents",
    readonly limit: number,
  ) {
    super(
      "cap_exceeded",
      `the run reached its cap of ${limit} agents (${cap}); no further agent was started and everything finished is kept. ` +
        `Raise ${cap} in the configuration or make the script start fewer agents.`,
    );
  }
}

/** The token or dollar budget is spent; no new agent starts. */
export class BudgetExhaustedError extends DynflowError {
  constructor(
    readonly budget: "tokens" | "usd",
    readonly limit: number,
    readonly spent: number,
  ) {
    const fmt = (n: number) => (budget === "usd" ? `$${n.toFixed(4)}` : `${n} tokens`);
    super(
      "budget_exhausted",
      `the run's ${budget === "usd" ? "dollar" : "token"} budget of ${fmt(limit)} is spent (${fmt(spent)} used); ` +
        `no new agent was started and everything finished is kept. Raise the budget to continue.`,
    );
  }
}

/**
 * A run admitted on its estimate without approval outgrew it: it stopped
 * taking work, keeping everything finished, and waits for approval.
 */
export class EstimateExceededError extends DynflowError {
  constructor(
    readonly measure: "agents" | "usd",
    readonly estimated: number,
    readonly factor: number,
    readonly reached: number,
  ) {
    const what =
      measure === "agents"
        ? `it was about to start agent ${reached}, more than ${factor}× the ${estimated} agent${estimated === 1 ? "" : "s"} it was estimated at`
        : `it has spent $${reached.toFixed(2)}, more than ${factor}× the $${estimated.toFixed(2)} it was estimated at`;
    super(
      "estimate_exceeded",
      `the run started without approval because its estimate was under the approval thresholds, and ${what} (approvalOverrun). ` +
        "It stopped taking new work and kept everything that finished; approving it continues it.",
    );
  }
}

/** The run was cancelled from outside (a user, a deadline, a shutdown). */
export class RunCancelledError extends DynflowError {
  constructor(readonly reason: string) {
    super("run_cancelled", `the run was cancelled: ${reason}`);
  }
}

/** The script called an API function with arguments it cannot accept. */
export class InvalidScriptCallError extends DynflowError {
  constructor(message: string) {
    super("invalid_call", message);
  }
}

/** `workflow()` was called from inside a nested workflow, or could not be loaded. */
export class WorkflowLoadError extends DynflowError {
  constructor(message: string) {
    super("workflow_load", message);
  }
}

/** `workflow()` was called from a workflow that `workflow()` started; the host counts the depth. */
export class WorkflowNestingError extends DynflowError {
  constructor() {
    super(
      "workflow_nesting",
      "workflow() nests one level only: a workflow started by workflow() cannot start another. Inline the inner steps instead.",
    );
  }
}

/**
 * Thrown by an agent runner to fail an agent while reporting what it spent
 * (so the spend is still counted) and any partial change it committed (so the
 * work is reported, never silently lost).
 */
export class AgentFailedError extends DynflowError {
  readonly change: ChangeRef | null;
  /** True when the agent ended because someone stopped it (it is then reported as stopped, not failed). */
  readonly stopped: boolean;

  constructor(
    message: string,
    readonly usage: TokenUsage,
    readonly costUsd: number,
    options?: { cause?: unknown; change?: ChangeRef | null; stopped?: boolean },
  ) {
    super("agent_failed", message, options);
    this.change = options?.change ?? null;
    this.stopped = options?.stopped ?? false;
  }
}

/**
 * One agent was stopped by a person (the dashboard's "stop"); the abort
 * reason its signal carries. The run goes on; the script's call resolves null.
 */
export class AgentStoppedError extends DynflowError {
  declare readonly code: "agent_stopped";

  constructor(
    readonly agentId: string,
    readonly reason: string,
  ) {
    super("agent_stopped", `agent ${agentId} was stopped: ${reason}`);
  }
}
