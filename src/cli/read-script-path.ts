/**
 * `workflow({ scriptPath })` in a local run: the script file is read from the
 * repository being worked on, never from elsewhere on the machine. A path
 * is taken from the repository root; one that leaves it (`..`, an absolute
 * path, a symlink pointing out) or enters `.git` is refused.
 */
import { readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { WorkflowLoadError } from "../runtime/errors.js";
import { MAX_WORKFLOW_BYTES } from "../workflows/read-saved-workflow.js";
import { normalizePath } from "../workspace/check-path.js";
import { WorkspacePathError } from "../workspace/errors.js";

/** Reads `path` (relative to `repoDir`) for a nested workflow; throws `WorkflowLoadError` for anything outside. */
export async function readScriptPath(repoDir: string, path: string): Promise<{ source: string; filename: string }> {
  let clean: string;
  try {
    clean = normalizePath(path);
  } catch (error) {
    if (error instanceof WorkspacePathError) throw new WorkflowLoadError(`workflow({ scriptPath }): ${error.message}`);
    throw error;
  }
  const root = await realpath(repoDir);
  const target = await realpath(resolve(root, clean)).catch((error: NodeJS.ErrnoException) => {
    throw new WorkflowLoadError(`workflow({ scriptPath }): cannot read "${clean}" in the repository (${error.code ?? error.message})`);
  });
  const inside = relative(root, target);
  // The real path decides: a symlink inside the repository may point anywhere.
  if (inside === "" || inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside) || inside.split(sep).some((s) => s.toLowerCase() === ".git")) {
    throw new WorkflowLoadError(`workflow({ scriptPath }): "${clean}" resolves outside the repository; a script may only load workflows from the repository it runs on`);
  }
  const info = await stat(target);
  if (!info.isFile()) throw new WorkflowLoadError(`workflow({ scriptPath }): "${clean}" is not a file`);
  if (info.size > MAX_WORKFLOW_BYTES) throw new WorkflowLoadError(`workflow({ scriptPath }): "${clean}" is ${info.size} bytes, over the limit of ${MAX_WORKFLOW_BYTES}`);
  return { source: await readFile(target, "utf8"), filename: clean };
}
