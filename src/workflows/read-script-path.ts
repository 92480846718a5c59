/**
 * `workflow({ scriptPath })` in a run on GitHub: the script at a path of the
 * repository, read at a trusted ref (the base commit, or the default branch
 * when the base commit is a fork's). The path is relative to the repository
 * root and must stay inside it.
 */
import type { GitHubClient } from "../github/github-client.js";
import { readRepositoryFile, type RepositoryRef } from "../github/read-repository-file.js";
import { WorkflowLoadError } from "../runtime/errors.js";
import { normalizePath } from "../workspace/check-path.js";
import { WorkspacePathError } from "../workspace/errors.js";
import { MAX_WORKFLOW_BYTES } from "./read-saved-workflow.js";
import type { WorkflowSource } from "./resolve-workflow.js";

/** The repository path `scriptPath` names, normalised; throws `WorkflowLoadError` for one that leaves the repository. */
export function checkScriptPath(scriptPath: string): string {
  try {
    return normalizePath(scriptPath.replace(/^\.\//, ""));
  } catch (error) {
    if (!(error instanceof WorkspacePathError)) throw error;
    throw new WorkflowLoadError(`workflow({ scriptPath: ${JSON.stringify(scriptPath.slice(0, 200))} }): ${error.message}`);
  }
}

/** The script at `scriptPath` in `where`; throws `WorkflowLoadError` when there is none or it cannot be used. */
export async function readScriptPath(github: GitHubClient, where: RepositoryRef, scriptPath: string): Promise<WorkflowSource> {
  const path = checkScriptPath(scriptPath);
  const file = await readRepositoryFile(github, where, path, {
    maxBytes: MAX_WORKFLOW_BYTES,
    unreadable: (at, reason) => new WorkflowLoadError(`workflow({ scriptPath: "${at}" }): the file cannot be used: ${reason}`),
  });
  if (file === null) throw new WorkflowLoadError(`workflow({ scriptPath: "${path}" }): there is no file ${path} in ${where.owner}/${where.repo} at ${where.ref.slice(0, 12)}`);
  return { source: file.text, filename: path };
}
