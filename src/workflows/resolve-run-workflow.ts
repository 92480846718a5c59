/**
 * How a run finds a workflow by name: `/dynflow run <name>`, an audit's
 * `workflow`, and `workflow(name, args)` inside a running script, on GitHub
 * and in `dynflow run` alike. The repository's saved workflow at the run's
 * base commit wins (so a bundled workflow a user copied and edited runs as
 * edited), else the workflow bundled with dynflow of that name.
 */
import type { WorkflowResolver } from "../runtime/script-host.js";
import { findSavedWorkflow } from "./read-saved-workflow.js";
import { createWorkflowResolver, findWorkflow, type ResolveWorkflowOptions, type WorkflowSource } from "./resolve-workflow.js";
import type { WorkflowFiles } from "./workflow-files.js";

/** A workflow found by name, and whether it is dynflow's own rather than the repository's. */
export interface FoundWorkflow extends WorkflowSource {
  bundled: boolean;
}

/** The saved workflows in `files`, as `findWorkflow` takes them. */
function savedIn(files: WorkflowFiles): (name: string) => Promise<WorkflowSource | null> {
  return async (name) => {
    const saved = await findSavedWorkflow(files, name);
    return saved && { source: saved.source, filename: saved.path };
  };
}

/** The saved workflow called `name` in `files` (the base commit), else the bundled one, else null. */
export async function findRunWorkflow(files: WorkflowFiles, name: string, options: Omit<ResolveWorkflowOptions, "saved"> = {}): Promise<FoundWorkflow | null> {
  let fromRepository = false;
  const readSaved = savedIn(files);
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
 * The resolver of `workflow(name)` calls in a run's script (estimate and
 * execution alike), over the saved workflows in `files`. `scriptPath` reads
 * `workflow({ scriptPath })` refs; without it they are refused.
 */
export function createRunWorkflowResolver(files: WorkflowFiles, options: Omit<ResolveWorkflowOptions, "saved"> = {}): WorkflowResolver {
  return createWorkflowResolver({ ...options, saved: savedIn(files) });
}
