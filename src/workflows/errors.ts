/**
 * Errors of finding a workflow by name.
 */
import { DynflowError } from "../errors.js";

/** A saved workflow name that could escape its folder or is not a plain file name. */
export class InvalidWorkflowNameError extends DynflowError {
  declare readonly code: "invalid_workflow_name";
  readonly workflowName: string;

  constructor(name: string) {
    super(
      "invalid_workflow_name",
      `workflow name ${JSON.stringify(name.slice(0, 80))} is not valid: use 1–100 letters, digits, ".", "_" or "-" (no slashes, no ".."), e.g. "migrate-fetch"`,
    );
    this.workflowName = name;
  }
}

/** A saved workflow file that cannot be used as a script (too large, or not a regular file). */
export class UnreadableWorkflowError extends DynflowError {
  declare readonly code: "unreadable_workflow";
  /** Repository path of the file. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super("unreadable_workflow", `saved workflow ${path} cannot be used: ${reason}`);
    this.path = path;
  }
}
