/**
 * `workflow({ scriptPath })` in a run on GitHub: the script at a path of the
 * repository, read at a trusted ref (the base commit, or the default branch
 * when the base commit is a fork's). The path is relative to the repository
 * root and must stay inside it.
 */
import type { GitHubClient } from "../github/github-client.js";
import { WorkflowLoadError } from "../runtime/errors.js";
import { normalizePath, WorkspacePathError } from "../workspace/index.js";
import { UnreadableWorkflowError } from "./errors.js";
import { MAX_WORKFLOW_BYTES } from "./read-saved-workflow.js";
import type { WorkflowSource } from "./resolve-workflow.js";
import { githubWorkflowFiles, type WorkflowFiles } from "./workflow-files.js";

/** The repository path `scriptPath` names, normalised; throws `WorkflowLoadError` for one that leaves the repository. */
export function checkScriptPath(scriptPath: string): string {
  try {
    return normalizePath(scriptPath.replace(/^\.\//, ""));
  } catch (error) {
    if (!(error instanceof WorkspacePathError)) throw error;
    throw new WorkflowLoadError(`workflow({ scriptPath: ${JSON.stringify(scriptPath.slice(0, 200))} }): ${error.message}`);
  }
}

/** The script at `scriptPath` in `files` (`where` names them in messages); throws `WorkflowLoadError` when there is none or it cannot be used. */
export async function readScriptPath(files: WorkflowFiles, scriptPath: string, where: string): Promise<WorkflowSource> {
  const path = checkScriptPath(scriptPath);
  const refuse = (reason: string) => new WorkflowLoadError(`workflow({ scriptPath: "${path}" }): the file cannot be used: ${reason}`);
  const entry = await files.entry(path);
  if (entry === null) throw new WorkflowLoadError(`workflow({ scriptPath: "${path}" }): there is no file ${path} in ${where}`);
  if (entry.kind !== "file") throw refuse("it is not a regular file");
  if (entry.size > MAX_WORKFLOW_BYTES) throw refuse(`it is ${entry.size} bytes, over the limit of ${MAX_WORKFLOW_BYTES}`);
  try {
    return { source: new TextDecoder("utf-8", { fatal: true }).decode(await entry.bytes()), filename: path };
  } catch (error) {
    throw refuse(error instanceof UnreadableWorkflowError ? "GitHub did not return its content" : "it is not UTF-8 text");
  }
}

/** `workflow({ scriptPath })` for a run on GitHub: paths of `where.owner/where.repo` at `where.ref` (a trusted ref). */
export function githubScriptPath(github: GitHubClient, where: { owner: string; repo: string; ref: string }): (scriptPath: string) => Promise<WorkflowSource> {
  const files = githubWorkflowFiles(github, where);
  return (scriptPath) => readScriptPath(files, scriptPath, `${where.owner}/${where.repo} at ${where.ref.slice(0, 12)}`);
}
