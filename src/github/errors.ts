/**
 * Errors of the GitHub layer. None of them carries a token, and none is built
 * from a response body that could hold one.
 */
import { DynflowError } from "../errors.js";

/** An installation token could not be had (the app is not installed, or lost access). */
export class InstallationTokenError extends DynflowError {
  declare readonly code: "installation_token_failed";
  /** HTTP status of GitHub's answer, when there was one. */
  readonly status: number | undefined;

  constructor(reason: string, status: number | undefined, options?: { cause?: unknown }) {
    super("installation_token_failed", `could not get an installation token for git: ${reason}`, options);
    this.status = status;
  }
}

/** A pull request body over GitHub's limit (render it with `renderReport`, which stays within it). */
export class PullRequestBodyTooLongError extends DynflowError {
  declare readonly code: "pull_request_body_too_long";
  readonly length: number;
  readonly limit: number;

  constructor(length: number, limit: number) {
    super(
      "pull_request_body_too_long",
      `pull request body is ${length} characters, over GitHub's limit of ${limit}: render it with renderReport, which shortens it to fit`,
    );
    this.length = length;
    this.limit = limit;
  }
}

/** A settings file's `_extends` names a file that does not exist, or one the app cannot read. */
export class ExtendsNotFoundError extends DynflowError {
  declare readonly code: "extends_not_found";

  constructor(
    /** `owner/repo:path` the `_extends` pointed at. */
    readonly target: string,
    /** `owner/repo:path` of the file that has the `_extends`. */
    readonly from: string,
  ) {
    super(
      "extends_not_found",
      `\`_extends\` in \`${from}\` points to \`${target}\`, which does not exist or which this app cannot read: fix the name, or install the app on that repository`,
    );
  }
}
