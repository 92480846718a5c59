/**
 * The honest default, as a pure decision: when the files a task touches fit
 * comfortably in one agent's context, one agent plus its refuters does the
 * work; only work that exceeds one context is fanned out, by a script the
 * planner model writes.
 */
import type { RelevantEstimate } from "./estimate-relevant-tokens.js";

/** Relevant tokens up to which one agent does the whole task. */
export const DEFAULT_SINGLE_AGENT_TOKENS = 60_000;

export type PlanKind = "single-agent" | "model-written";

export interface PlanDecision {
  kind: PlanKind;
  /** Why, in words a user reads in the report. */
  reason: string;
}

export interface DecisionLimits {
  /** Relevant tokens up to which one agent does the task. */
  threshold: number;
  /** The estimate's file cap (said in the reason when it was hit). */
  maxFiles: number;
  /** Tracked files in the repository. */
  repositoryFiles: number;
}

const NUMBER = new Intl.NumberFormat("en-US");

/** Decides between the single-agent template and a model-written plan. */
export function decidePlanKind(relevant: RelevantEstimate, limits: DecisionLimits): PlanDecision {
  const threshold = `${NUMBER.format(limits.threshold)} tokens`;

  if (relevant.basis === "none") {
    return {
      kind: "model-written",
      reason:
        `the task names no file or identifier found in the repository, and the repository (${files(limits.repositoryFiles)}) ` +
        `is too large to assume one agent can take it whole, so the planner model chose the plan from the repository overview`,
    };
  }
  if (relevant.capped) {
    return {
      kind: "model-written",
      reason:
        `more than ${files(limits.maxFiles)} are relevant to the task (at least ~${NUMBER.format(relevant.tokens)} tokens), ` +
        `more than one agent's context holds comfortably (${threshold}), so the planner model wrote a script that splits the work`,
    };
  }
  const wholeRepository =
    `the task names no file or identifier found in the repository, and the whole repository, ` +
    `${files(relevant.files.length)} (~${NUMBER.format(relevant.tokens)} tokens),`;
  // "1 relevant file ... fits", "3 relevant files ... fit".
  const plural = relevant.files.length !== 1;
  if (relevant.tokens > limits.threshold) {
    const subject =
      relevant.basis === "repository" ? `${wholeRepository} exceeds` : `the task's ${relevantFiles(relevant)} exceed${plural ? "" : "s"}`;
    return {
      kind: "model-written",
      reason:
        `${subject} what one agent's context holds comfortably (${threshold}), ` +
        `so the planner model wrote a script that splits the work`,
    };
  }
  const subject =
    relevant.basis === "repository" ? `${wholeRepository} fits` : `the task's ${relevantFiles(relevant)} fit${plural ? "" : "s"}`;
  return {
    kind: "single-agent",
    reason:
      `${subject} in one agent's context (up to ${threshold}); a fan-out would cost more and converge no better, ` +
      `so one agent does the task and independent refuters review its change`,
  };
}

function files(count: number): string {
  return `${NUMBER.format(count)} file${count === 1 ? "" : "s"}`;
}

/** "3 relevant files (~1,200 tokens)". */
function relevantFiles(relevant: RelevantEstimate): string {
  const count = relevant.files.length;
  return `${NUMBER.format(count)} relevant file${count === 1 ? "" : "s"} (~${NUMBER.format(relevant.tokens)} tokens)`;
}
