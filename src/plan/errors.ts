/**
 * Errors of the planner.
 */
import { DynflowError } from "../errors.js";
import type { TokenUsage } from "../runtime/types.js";

/**
 * The planner model did not produce a valid plan script, neither at first nor
 * after the repairs it was given. Carries every validation error in order and
 * what the attempts cost, so the run can report both.
 */
export class PlanFailedError extends DynflowError {
  /** Model calls made (the first attempt plus repairs). */
  readonly attempts: number;
  /** One message per rejected attempt, in order; each names the line when there is one. */
  readonly errors: string[];
  /** Tokens the attempts used. */
  readonly usage: TokenUsage;
  readonly costUsd: number;

  /** What went wrong, without the advice (which depends on where the run was started: `adviceFor`). */
  readonly summary: string;

  constructor(fields: { attempts: number; errors: string[]; usage: TokenUsage; costUsd: number }) {
    const last = fields.errors.at(-1) ?? "no script was submitted";
    const summary = `the planner wrote no valid plan script in ${fields.attempts} attempt${fields.attempts === 1 ? "" : "s"} (last problem: ${last})`;
    super("plan_failed", `${summary}; ${planFailureAdvice("github")}`);
    this.summary = summary;
    this.attempts = fields.attempts;
    this.errors = fields.errors;
    this.usage = fields.usage;
    this.costUsd = fields.costUsd;
  }
}

/**
 * What to do when planning fails, in the words of the surface the run was
 * started from: a comment command on GitHub, the `dynflow` command line.
 */
export function planFailureAdvice(surface: "github" | "cli"): string {
  const rephrase = "rephrase the task more concretely (name the files, modules or functions it is about)";
  return surface === "github"
    ? `${rephrase}, or save a script as .claude/workflows/<name>.js and start it with "/dynflow run <name>"`
    : `${rephrase}, or write the plan script yourself and run it with "dynflow run --repo <path> --script <file.js>" ` +
        `(or save it as .claude/workflows/<name>.js and run "dynflow run --repo <path> --workflow <name>")`;
}
