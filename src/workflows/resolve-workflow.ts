/**
 * Finds a workflow by name the way `/dynflow run <name>` and `workflow(name)`
 * do: the repository's saved workflow first, so a bundled workflow a user
 * copied and edited runs as edited, else the bundled one of that name.
 */
import { WorkflowLoadError } from "../runtime/errors.js";
import type { WorkflowResolver } from "../runtime/script-host.js";
import { listBundledWorkflows, readBundledWorkflow, type BundledWorkflowOptions } from "./bundled-workflows.js";

/** A workflow's script and the name it is shown under. */
export interface WorkflowSource {
  source: string;
  filename: string;
}

export interface ResolveWorkflowOptions extends BundledWorkflowOptions {
  /** The run's saved workflows by name (e.g. `.claude/workflows/<name>.js` at the base commit), or null when absent. */
  saved?: (name: string) => Promise<WorkflowSource | null>;
  /** Reads a `{ scriptPath }` ref (local runs only); such refs are refused without it. */
  scriptPath?: (path: string) => Promise<WorkflowSource>;
}

/** The saved workflow called `name`, else the bundled one, else null. */
export async function findWorkflow(name: string, options: ResolveWorkflowOptions = {}): Promise<WorkflowSource | null> {
  const saved = await options.saved?.(name);
  if (saved) return saved;
  const bundled = await readBundledWorkflow(name, options);
  return bundled && { source: bundled.source, filename: bundled.filename };
}

/** A `WorkflowResolver` for `runScript` over `findWorkflow`; throws `WorkflowLoadError` naming the choices when nothing matches. */
export function createWorkflowResolver(options: ResolveWorkflowOptions = {}): WorkflowResolver {
  return async (ref) => {
    if (typeof ref !== "string") {
      if (!options.scriptPath) throw new WorkflowLoadError("workflow({ scriptPath }): this run cannot read local files; use a workflow name");
      return options.scriptPath(ref.scriptPath);
    }
    const found = await findWorkflow(ref, options);
    if (found) return found;
    const bundled = await listBundledWorkflows(options);
    throw new WorkflowLoadError(
      `workflow("${ref}"): no saved workflow of that name (.claude/workflows/${ref}.js) and no bundled one (${bundled.join(", ")})`,
    );
  };
}
