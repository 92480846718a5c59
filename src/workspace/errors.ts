/**
 * Errors of the workspace layer. Path errors are shown to agents as tool
 * errors, so their messages name the path, the rule and what is allowed.
 */
import { DynflowError } from "../errors.js";

/** Why a workspace refused a path or an edit. */
export type WorkspacePathErrorCode =
  | "path_absolute"
  | "path_traversal"
  | "path_git_dir"
  | "path_symlink"
  | "path_outside_scope"
  | "path_protected"
  | "path_not_found"
  | "path_conflict"
  | "path_invalid"
  | "path_not_text"
  | "edit_no_match"
  | "edit_ambiguous";

/** A workspace operation refused because of its path (or, for edits, its text). */
export class WorkspacePathError extends DynflowError {
  declare readonly code: WorkspacePathErrorCode;
  /** The path as the caller gave it. */
  readonly path: string;
  /** What would have been allowed (write scopes, protected globs), when relevant. */
  readonly allowed: readonly string[];
  /** For `edit_ambiguous`: how many times the old text occurs. */
  readonly occurrences: number | undefined;

  constructor(
    code: WorkspacePathErrorCode,
    path: string,
    message: string,
    extra: { allowed?: readonly string[]; occurrences?: number } = {},
  ) {
    super(code, message);
    this.path = path;
    this.allowed = extra.allowed ?? [];
    this.occurrences = extra.occurrences;
  }
}

/** A change carried as data (carry-change.ts) that is not the change it names, whole: a damaged message or a bug. */
export class CarriedChangeError extends DynflowError {
  declare readonly code: "carried_change_invalid";
  readonly commit: string;

  constructor(commit: string, why: string) {
    super("carried_change_invalid", `the change ${commit} that came as data is not whole: ${why}`);
    this.commit = commit;
  }
}

/** A git command failed. Secrets are scrubbed from every field. */
export class GitCommandError extends DynflowError {
  declare readonly code: "git_failed";
  /** The git arguments (never contain secrets: those travel in the environment). */
  readonly args: readonly string[];
  /** Exit code, or null when the process was killed or could not start. */
  readonly exitCode: number | null;
  /** Git's error output, scrubbed and trimmed. */
  readonly stderr: string;

  constructor(args: readonly string[], exitCode: number | null, stderr: string, options?: { cause?: unknown }) {
    const detail = stderr.trim().split("\n").slice(-3).join(" | ");
    super("git_failed", `git ${args[0] ?? ""} failed (exit ${exitCode ?? "signal"})${detail ? `: ${detail}` : ""}`, options);
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = stderr.trim();
  }
}

/** A revision does not name a commit of the repository. */
export class CommitNotFoundError extends DynflowError {
  declare readonly code: "commit_not_found";
  readonly rev: string;

  constructor(rev: string) {
    super("commit_not_found", `"${rev}" does not name a commit in this repository`);
    this.rev = rev;
  }
}

/** A run id, slug or refspec cannot be used in a git ref name. */
export class InvalidRefNameError extends DynflowError {
  declare readonly code: "invalid_ref_name";
  readonly value: string;

  constructor(value: string, rule: string) {
    super("invalid_ref_name", `"${value}" cannot be used in a git ref name: ${rule}`);
    this.value = value;
  }
}

/** A search pattern is not a valid JavaScript regular expression. */
export class InvalidSearchPatternError extends DynflowError {
  declare readonly code: "invalid_search_pattern";
  readonly pattern: string;

  constructor(pattern: string, reason: string) {
    super("invalid_search_pattern", `invalid search pattern /${pattern}/: ${reason}`);
    this.pattern = pattern;
  }
}

/** A remote refused some refs of a push; `results` says which. */
export class PushRejectedError extends DynflowError {
  declare readonly code: "push_rejected";
  readonly results: readonly { source: string; destination: string; status: string; summary: string }[];

  constructor(results: PushRejectedError["results"]) {
    const rejected = results.filter((r) => r.status === "rejected");
    super(
      "push_rejected",
      `the remote rejected ${rejected.length} of ${results.length} refs: ${rejected
        .slice(0, 5)
        .map((r) => `${r.destination} (${r.summary})`)
        .join(", ")}`,
    );
    this.results = results;
  }
}

/** A remote URL was refused (credentials inside it, or not a URL). Never echoes credentials. */
export class InvalidRemoteUrlError extends DynflowError {
  declare readonly code: "invalid_remote_url";

  constructor(reason: string) {
    super("invalid_remote_url", `remote URL refused: ${reason}`);
  }
}

/** The repository was closed; its long-lived git processes are gone. */
export class RepositoryClosedError extends DynflowError {
  declare readonly code: "repository_closed";

  constructor(gitDir: string) {
    super("repository_closed", `repository ${gitDir} is closed`);
  }
}
