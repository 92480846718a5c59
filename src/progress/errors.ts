/**
 * Errors of the progress layer.
 */
import { DynflowError } from "../errors.js";

/** A run id that cannot be written into a status marker (it must be a ref-safe name). */
export class InvalidRunIdError extends DynflowError {
  declare readonly code: "invalid_run_id";
  readonly runId: string;

  constructor(runId: string) {
    super(
      "invalid_run_id",
      `run id ${JSON.stringify(runId.slice(0, 80))} cannot be used in a status marker: use 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
    this.runId = runId;
  }
}
