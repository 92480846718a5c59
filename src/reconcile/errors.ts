/**
 * Errors raised while reconciling worker changes. A change that cannot be
 * merged is not an error (it is reported as a conflict); these are the cases
 * where the reconciliation itself cannot proceed.
 */
import { DynflowError } from "../errors.js";

export { GitCommandError } from "../workspace/index.js";

/** The target branch name is not a valid git branch name. */
export class InvalidBranchNameError extends DynflowError {
  constructor(readonly branch: string) {
    super(
      "invalid_branch_name",
      `"${branch}" is not a valid git branch name; use a name such as dynflow/<run-id> (see git check-ref-format).`,
    );
  }
}

/** The base commit is not a commit of the repository. */
export class UnknownCommitError extends DynflowError {
  constructor(readonly commit: string) {
    super(
      "unknown_commit",
      `base commit "${commit}" is not a commit in the repository; pass the full id of the commit the run started from.`,
    );
  }
}

/** The target branch moved while the changes were being merged. */
export class BranchMovedError extends DynflowError {
  constructor(
    readonly branch: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(
      "branch_moved",
      `branch ${branch} moved during reconciliation (expected ${expected ?? "no branch"}, found ${actual ?? "no branch"}); ` +
        `another process is writing it. Reconcile again once it is done.`,
    );
  }
}
