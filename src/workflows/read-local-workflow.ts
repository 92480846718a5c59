/**
 * Saved workflows of a local repository, read through git at the run's base
 * commit (never the working tree), from the same folders the app reads on
 * GitHub: `.claude/workflows/<name>.js`, then `.github/dynflow/workflows/<name>.js`.
 */
import type { GitRepository } from "../workspace/index.js";
import { SAVED_WORKFLOW_DIRS } from "./read-saved-workflow.js";
import type { WorkflowSource } from "./resolve-workflow.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The saved workflow called `name` at `commit`, or null when neither folder has it. */
export async function readLocalWorkflow(repository: Pick<GitRepository, "readFile">, commit: string, name: string): Promise<WorkflowSource | null> {
  const bare = name.endsWith(".js") ? name.slice(0, -3) : name;
  if (!NAME.test(bare) || bare.includes("..")) return null;
  for (const dir of SAVED_WORKFLOW_DIRS) {
    const path = `${dir}/${bare}.js`;
    const source = await repository.readFile(commit, path).catch(() => null);
    if (source) return { source: source.toString("utf8"), filename: path };
  }
  return null;
}
