/**
 * A run that ended before its report (the plan could not be made, the
 * repository's settings are invalid, git refused the base or a merge, the
 * local store refused the run), in the command line's words: the same reason
 * goes into `--json`, onto stderr and into the local store.
 */
import { DynflowError } from "../errors.js";
import type { LocalRunFailure } from "../local-runs/local-run-record.js";
import { planFailureAdvice, PlanFailedError } from "../plan/errors.js";
import type { TokenUsage } from "../runtime/types.js";

/** Why, and what was spent before (the planner's attempts): the tokens too, for `--json`. */
export type RunFailure = LocalRunFailure & { usage?: TokenUsage };

/** The failure `error` describes; an error that is not dynflow's own is `internal`. Pure. */
export function describeRunFailure(error: unknown): RunFailure {
  // A failed plan's own message advises the GitHub command; the command line's advice names its own flags.
  if (error instanceof PlanFailedError) return { code: error.code, message: `${error.summary}; ${planFailureAdvice("cli")}`, usage: error.usage, costUsd: error.costUsd };
  if (error instanceof DynflowError) return { code: error.code, message: error.message, costUsd: 0 };
  return { code: "internal", message: error instanceof Error ? error.message : String(error), costUsd: 0 };
}
