/**
 * Reads a saved workflow script from the repository at the run's base commit:
 * `.claude/workflows/<name>.js` (where Claude Code saves them, so they run
 * unchanged) or `.github/dynflow/workflows/<name>.js`.
 */
import { InvalidWorkflowNameError, UnreadableWorkflowError } from "../github/errors.js";
import type { GitHubClient } from "../github/github-client.js";
import { readRepositoryFile } from "../github/read-repository-file.js";

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
  /** Git blob id of the file. */
  sha: string;
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
 * The saved workflow's source at `ref`, or null when neither folder has it.
 * Throws `UnreadableWorkflowError` for a file that is not a regular UTF-8 file
 * of at most 1 MiB.
 */
export async function readSavedWorkflow(octokit: GitHubClient, options: ReadSavedWorkflowOptions): Promise<SavedWorkflow | null> {
  const name = checkWorkflowName(options.name);
  for (const dir of SAVED_WORKFLOW_DIRS) {
    const path = `${dir}/${name}.js`;
    const file = await readRepositoryFile(octokit, options, path, {
      maxBytes: MAX_WORKFLOW_BYTES,
      unreadable: (at, reason) => new UnreadableWorkflowError(at, reason),
    });
    if (file !== null) return { name, path, source: file.text, sha: file.sha };
  }
  return null;
}
