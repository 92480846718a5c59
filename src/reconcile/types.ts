/**
 * Contracts of reconciliation: merging accepted worker changes into the run's
 * result branch, and what came of each change.
 */
import type { Logger } from "pino";
import type { CommitIdentity } from "../workspace/index.js";
import type { ChangeRef } from "../runtime/types.js";
import type { Clock } from "../time.js";

/** One accepted change to merge, with the label the report shows for it. */
export interface ChangeToMerge {
  label: string;
  change: ChangeRef;
}

/**
 * One conflicted file, as text. `null` means the file does not exist on that
 * side (e.g. deleted by one side of a delete-vs-modify conflict).
 */
export interface ConflictFile {
  path: string;
  /** Contents at the merge base. */
  base: string | null;
  /** Contents in the result merged so far. */
  ours: string | null;
  /** Contents in the change being merged. */
  theirs: string | null;
  /** What git left in the merged tree: conflict markers for a content conflict; null when absent. */
  marked: string | null;
}

/** What a conflict resolver is asked to resolve: every conflicted file of one change. */
export interface ConflictInput {
  label: string;
  change: ChangeRef;
  files: ConflictFile[];
  /** Git's conflict types, e.g. `CONFLICT (content)`, `CONFLICT (modify/delete)`. */
  types: string[];
}

/**
 * Resolved contents by path: a string is the file's new contents, `null`
 * deletes the file. Every conflicted path must be present; other paths are
 * ignored.
 */
export type ConflictResolution = Record<string, string | null>;

/**
 * Resolves the conflicts of one change (typically a resolver agent). Returns
 * `null` to give up; throwing counts as giving up too.
 */
export type ConflictResolver = (input: ConflictInput) => Promise<ConflictResolution | null>;

/**
 * The run's repository, open (`GitRepository`). Its long-lived git processes
 * answer what would otherwise start a git process each, and every process
 * dynflow starts costs a fork of the whole app process.
 */
export interface OpenRepository {
  /** The full id of the commit `rev` names; rejects with `CommitNotFoundError` when there is none. */
  resolveCommit(rev: string): Promise<string>;
  /** The id of a commit's root tree. */
  treeOf(commit: string): Promise<string>;
  /** Stores a commit object (`formatCommitObject`'s text) and returns its id. */
  writeCommitObject(content: string): Promise<string>;
}

export interface MergeChangesOptions {
  /** A git repository (bare or not); its checkout, HEAD and index are never touched. */
  repoDir: string;
  /** The same repository, open: names resolve and merge commits are written through its long-lived git processes. */
  repository?: OpenRepository;
  /** The run's base commit (full or abbreviated hex id). */
  baseCommit: string;
  /** Branch to write, without `refs/heads/`, e.g. `dynflow/<run-id>`. */
  targetBranch: string;
  /** Changes in merge order; callers sort them deterministically (e.g. by label). */
  changes: readonly ChangeToMerge[];
  resolveConflict?: ConflictResolver;
  /** Who the merge commits are by. */
  author: CommitIdentity;
  log?: Logger;
  /** Source of commit dates. Default: the system clock. A fixed clock makes commit ids reproducible. */
  clock?: Clock;
  /** Environment git runs with. Default: the process environment. */
  env?: NodeJS.ProcessEnv;
}

/** A change whose merge conflicted. */
export interface ReconcileConflict {
  label: string;
  /** Conflicted paths (for a change that could not be merged at all, the paths it touched). */
  paths: string[];
  /** `resolved`: the resolver's contents were merged; `unresolved`: the change is not in the result. */
  resolution: "resolved" | "unresolved";
  /** Why it stayed unresolved (always set then), with git's conflict types. */
  reason?: string;
}

export interface ReconcileResult {
  /** The branch written (as given, without `refs/heads/`). */
  branch: string;
  /** The commit the branch points at; the base commit when nothing was merged. */
  commit: string;
  /** The tree of that commit. */
  tree: string;
  /** Labels merged into the result, in merge order (resolved conflicts included). */
  merged: string[];
  /** Every change that conflicted, resolved or not, in merge order. */
  conflicts: ReconcileConflict[];
}
