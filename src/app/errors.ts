/**
 * Errors of the GitHub use cases.
 */
import { DynflowError } from "../errors.js";

/** The deployment has no model API key, so no agent can run. */
export class ModelNotConfiguredError extends DynflowError {
  declare readonly code: "model_not_configured";

  constructor() {
    super(
      "model_not_configured",
      "this dynflow deployment has no model API key (ANTHROPIC_API_KEY is not set), so it cannot run agents; ask its operator to set it and restart the app",
    );
  }
}

/** A run record misses what its next step needs (its base commit, or its script). */
export class RunNotReadyError extends DynflowError {
  declare readonly code: "run_not_ready";
  readonly runId: string;
  readonly missing: string;

  constructor(runId: string, missing: string) {
    super("run_not_ready", `run ${runId} has no ${missing} yet, so it cannot execute; resume it to plan it again`);
    this.runId = runId;
    this.missing = missing;
  }
}

/** An audit names a workflow that is neither saved in the repository nor bundled with dynflow. */
export class AuditWorkflowNotFoundError extends DynflowError {
  declare readonly code: "audit_workflow_not_found";
  readonly audit: string;
  readonly workflow: string;

  constructor(audit: string, workflow: string, bundled: readonly string[]) {
    super(
      "audit_workflow_not_found",
      `audit "${audit}" runs the workflow "${workflow}", which is neither saved in the repository (.claude/workflows/${workflow}.js or ` +
        `.github/dynflow/workflows/${workflow}.js) nor bundled with dynflow (${bundled.join(", ")}); ` +
        `fix its workflow in .github/dynflow.yml, or leave it out to run the bundled audit`,
    );
    this.audit = audit;
    this.workflow = workflow;
  }
}

/** A repository's `.github/dynflow.yml` is invalid, so work nobody asked for in a comment (a scheduled audit) does not start. */
export class InvalidRepoConfigError extends DynflowError {
  declare readonly code: "invalid_repo_config";
  readonly owner: string;
  readonly repo: string;
  /** How many problems the file has. */
  readonly problems: number;

  constructor(owner: string, repo: string, problems: number) {
    super(
      "invalid_repo_config",
      `${owner}/${repo}: .github/dynflow.yml has ${problems === 1 ? "1 problem" : `${problems} problems`}, so nothing starts from it; ` +
        `a /dynflow audit <name> comment lists them; fix the file on the default branch`,
    );
    this.owner = owner;
    this.repo = repo;
    this.problems = problems;
  }
}

/** Which JSON column of a run record could not be read. */
export type RunColumn = "plan" | "limits" | "result";

/**
 * A JSON column of a run record does not hold what this version reads (it
 * was edited by hand, or written by an incompatible version). The run stops
 * with this message instead of running on a guess.
 */
export class UnreadableRunRecordError extends DynflowError {
  declare readonly code: "unreadable_run_record";
  readonly column: RunColumn;
  /** The first problem, as `path: message`. */
  readonly problem: string;

  constructor(column: RunColumn, problem: string, options?: { cause?: unknown }) {
    super("unreadable_run_record", `the run's stored ${column} cannot be read (${problem}); ${COLUMN_ADVICE[column]}`, options);
    this.column = column;
    this.problem = problem;
  }
}

const COLUMN_ADVICE: Record<RunColumn, string> = {
  plan: "start a new run for the same task",
  limits: "resume the run to give it the repository's current settings",
  result: "the run's outcome is in its status comment and check run",
};
