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
