/**
 * Public shapes of the workspace layer: the read API shared by workspaces and
 * read-only views, and the options of forking and committing.
 */
import type { WritePolicyOptions } from "./check-path.js";

export interface ReadOptions {
  /** First line to return, 1-based (default 1). */
  startLine?: number;
  /** Last line to return, inclusive (default: the last line). */
  endLine?: number;
}

/** Raw text of (part of) a file; numbering lines for a model is the agent layer's job. */
export interface ReadResult {
  path: string;
  /** The requested lines, with their line endings; the whole file when no range was asked. */
  text: string;
  /** Lines in the whole file (a final newline does not start a new line). */
  totalLines: number;
  /** The range actually returned (clamped to the file); `endLine < startLine` when empty. */
  startLine: number;
  endLine: number;
  /** True when the file looks binary (a NUL byte); `text` is then empty. */
  binary: boolean;
}

export interface SearchOptions {
  /** Restricts the search to paths matching this glob (a glob without `/` matches base names). */
  glob?: string;
  /** Stop after this many matches (default 200). */
  maxMatches?: number;
}

/** One matching line. `text` is cut to 400 characters. */
export interface SearchMatch {
  path: string;
  line: number;
  text: string;
}

/** Read access to a tree: a workspace (overlay applied) or any commit. */
export interface WorkspaceReader {
  /** The commit this reads from (for a workspace: the base it was forked from). */
  readonly baseCommit: string;
  /** Files (and symlinks), sorted; filtered by a glob when given. */
  list(glob?: string): Promise<string[]>;
  read(path: string, options?: ReadOptions): Promise<ReadResult>;
  /**
   * Lines matching a JavaScript regular expression, sorted by path then line.
   * Only the `i` flag of a RegExp is honoured; matching is per line.
   */
  search(pattern: string | RegExp, options?: SearchOptions): Promise<SearchMatch[]>;
}

export interface ForkOptions extends WritePolicyOptions {
  /** Run id; becomes a component of the branch name. */
  runId: string;
  /** Worker slug (see `slugify`); becomes a component of the branch name. */
  slug: string;
  /** The commit to fork from (any revision naming a commit). */
  baseCommit: string;
}

export interface CommitIdentity {
  name: string;
  email: string;
}

export interface CommitOptions {
  message: string;
  author: CommitIdentity;
  /** Defaults to the author. */
  committer?: CommitIdentity;
  /** The agent stopped early and the change may be partial (copied to the ChangeRef). */
  incomplete?: boolean;
}

/** A path the workspace changed relative to its base. */
export interface ChangedFile {
  path: string;
  status: "added" | "modified" | "deleted";
}

/**
 * One file of a tree laid over another (a sandbox's changes layer): its bytes
 * and mode, or `content: null` when the file is gone.
 */
export interface LayerFile {
  path: string;
  content: Buffer | null;
  executable: boolean;
  /** A symbolic link: `content` is its target. */
  symlink: boolean;
}
