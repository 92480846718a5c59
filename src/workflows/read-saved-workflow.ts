/**
 * Reads a saved workflow script from the repository at the run's base commit:
 * `.claude/workflows/<name>.js` (where Claude Code saves them, so they run
 * unchanged) or `.github/dynflow/workflows/<name>.js`. One set of rules for
 * a run on GitHub and for `dynflow run` alike; only where the files come
 * from differs (`WorkflowFiles`).
 */
import type { GitHubClient } from "../github/github-client.js";
import { InvalidWorkflowNameError, UnreadableWorkflowError } from "./errors.js";
import { githubWorkflowFiles, type WorkflowFiles } from "./workflow-files.js";

/** Folders searched, in order; the first that has the file wins. */
export const SAVED_WORKFLOW_DIRS = [".claude/workflows", ".github/dynflow/workflows"] as const;

/** Largest script read, in bytes. */
export const MAX_WORKFLOW_BYTES = 1024 * 1024;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface ReadSavedWorkflowOptions {
  owner: string;
  repo: string;
  /** The base commit (or a ref) to read at. */
  ref: string;
  /** The workflow's name, with or without `.js`. */
  name: string;
}

export interface SavedWorkflow {
  /** The name without `.js`. */
  name: string;
  /** Repository path the script was read from. */
  path: string;
  source: string;
  /** Git blob id of the file, when the files' source tells it. */
  sha?: string;
}

/**
 * Validates a workflow name and returns it without `.js`. Throws
 * `InvalidWorkflowNameError` for slashes, `..` or anything but letters,
 * digits, `.`, `_` and `-`.
 */
export function checkWorkflowName(name: string): string {
  const bare = name.endsWith(".js") ? name.slice(0, -3) : name;
  if (!NAME.test(bare) || bare.includes("..")) throw new InvalidWorkflowNameError(name);
  return bare;
}

/**
 * The saved workflow called `name` in `files`, or null when neither folder
 * has it. Throws `InvalidWorkflowNameError` for a name that is not a plain
 * file name, and `UnreadableWorkflowError` for a file that is not a regular
 * UTF-8 file of at most 1 MiB: such a file is refused, never passed over.
 */
export async function findSavedWorkflow(files: WorkflowFiles, name: string): Promise<SavedWorkflow | null> {
  const bare = checkWorkflowName(name);
  for (const dir of SAVED_WORKFLOW_DIRS) {
    const path = `${dir}/${bare}.js`;
    const entry = await files.entry(path);
    if (entry === null) continue;
    if (entry.kind !== "file") throw new UnreadableWorkflowError(path, "it is not a regular file");
    if (entry.size > MAX_WORKFLOW_BYTES) throw new UnreadableWorkflowError(path, `it is ${entry.size} bytes, over the limit of ${MAX_WORKFLOW_BYTES}`);
    let source: string;
    try {
      source = new TextDecoder("utf-8", { fatal: true }).decode(await entry.bytes());
    } catch (error) {
      if (error instanceof UnreadableWorkflowError) throw error;
      throw new UnreadableWorkflowError(path, "it is not UTF-8 text");
    }
    return { name: bare, path, source, ...(entry.sha !== undefined ? { sha: entry.sha } : {}) };
  }
  return null;
}

/** The saved workflow's source at `ref` on GitHub, or null when neither folder has it (see `findSavedWorkflow`). */
export function readSavedWorkflow(octokit: GitHubClient, options: ReadSavedWorkflowOptions): Promise<SavedWorkflow | null> {
  return findSavedWorkflow(githubWorkflowFiles(octokit, options), options.name);
}
