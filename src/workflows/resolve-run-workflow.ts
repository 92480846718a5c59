/**
 * How a run on GitHub finds a workflow by name: `/dynflow run <name>`, an
 * audit's `workflow`, and `workflow(name, args)` inside a running script all
 * look the same way. The repository's saved workflow at the run's base commit
 * wins (so a bundled workflow a user copied and edited runs as edited), else
 * the workflow bundled with dynflow of that name.
 */
import type { GitHubClient } from "../github/github-client.js";
import { readSavedWorkflow } from "./read-saved-workflow.js";
import { readScriptPath } from "./read-script-path.js";
import type { WorkflowResolver } from "../runtime/script-host.js";
import { createWorkflowResolver, findWorkflow, type BundledWorkflowOptions, type WorkflowSource } from "./index.js";

/** Where saved workflows are read: a repository at a commit. */
export interface WorkflowLocation {
  owner: string;
  repo: string;
  /** The run's base commit. */
  ref: string;
}

/** A workflow found by name, and whether it is dynflow's own rather than the repository's. */
export interface FoundWorkflow extends WorkflowSource {
  bundled: boolean;
}

/** The saved workflows of `where`, as `findWorkflow` takes them. */
function savedAt(github: GitHubClient, where: WorkflowLocation): (name: string) => Promise<WorkflowSource | null> {
  return async (name) => {
    const saved = await readSavedWorkflow(github, { ...where, name });
    return saved && { source: saved.source, filename: saved.path };
  };
}

/** The saved workflow called `name` at `where.ref`, else the bundled one, else null. */
export async function findRunWorkflow(github: GitHubClient, where: WorkflowLocation, name: string, options: BundledWorkflowOptions = {}): Promise<FoundWorkflow | null> {
  let fromRepository = false;
  const readSaved = savedAt(github, where);
  const found = await findWorkflow(name, {
    ...options,
    saved: async (savedName) => {
      const saved = await readSaved(savedName);
      fromRepository = saved !== null;
      return saved;
    },
  });
  return found && { ...found, bundled: !fromRepository };
}

/**
 * The resolver of `workflow(name)` and `workflow({ scriptPath })` calls in a
 * run's script (estimate and execution alike). A `scriptPath` is read at
 * `trusted` (the base commit, or the default branch when the base is a fork's);
 * without it such a call is refused.
 */
export function createRunWorkflowResolver(
  github: GitHubClient,
  where: WorkflowLocation,
  options: BundledWorkflowOptions & { trusted?: WorkflowLocation } = {},
): WorkflowResolver {
  const { trusted, ...bundled } = options;
  return createWorkflowResolver({
    ...bundled,
    saved: savedAt(github, where),
    ...(trusted ? { scriptPath: (path: string) => readScriptPath(github, trusted, path) } : {}),
  });
}
