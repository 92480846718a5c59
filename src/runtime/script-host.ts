/**
 * The host side of the script API: what each bridge call from the sandbox
 * does. The guest prelude (script-api/build-prelude.ts) is its counterpart.
 */
import { randomUUID } from "node:crypto";
import type { AgentScheduler } from "./agent-scheduler.js";
import { InvalidScriptCallError, WorkflowLoadError, WorkflowNestingError } from "./errors.js";
import { HostBudgetMeter } from "./host-budgets.js";
import { parseScript } from "./script/parse-script.js";
import type { SandboxHost } from "./sandbox/types.js";
import { isObject, type AgentOptions, type AgentRecord, type JsonValue, type RunEvent, type ScriptMeta } from "./types.js";

/** Host-side services offered to extension calls. */
export interface ExtensionContext {
  /**
   * Runs one agent under the run's caps, budget and journal; `null` when it
   * failed. `onQueued` gets the agent's record as soon as it is queued (kept up
   * to date in place), also for an agent that then fails or never starts.
   */
  agent(prompt: string, options: AgentOptions, phase: string | null, onQueued?: (record: AgentRecord) => void): Promise<AgentRecord | null>;
  log(message: string, level?: "info" | "warn"): void;
  signal: AbortSignal;
  /** The run's host budgets; an extension charges its own host work here (e.g. repository scans). */
  budget: HostBudgetMeter;
  /** Every agent of the run so far, in call order (records are kept up to date in place). */
  agents(): readonly AgentRecord[];
}

/** Adds globals to the script API: guest code plus the host calls it makes. */
export interface RuntimeExtension {
  /** Namespace of the extension's host calls. */
  name: string;
  /** Guest code, see `PreludeExtension.source`. */
  prelude?: string;
  calls?: Record<string, (args: JsonValue[], context: ExtensionContext) => Promise<JsonValue | undefined>>;
}

/** What `workflow(ref)` may name: a saved or bundled workflow, or inline source. */
export type WorkflowRef = string | { script: string; name?: string } | { scriptPath: string };

/** Finds a nested workflow's source by name or path. */
export type WorkflowResolver = (ref: string | { scriptPath: string }) => Promise<{ source: string; filename: string }>;

export interface ScriptHostOptions {
  scheduler: AgentScheduler;
  extensions: RuntimeExtension[];
  resolveWorkflow?: WorkflowResolver;
  emit: (event: RunEvent) => void;
  now: () => number;
  signal: AbortSignal;
  /** Called when the script enters a phase. */
  onPhase: (title: string) => void;
  onLog: (message: string, level: "info" | "warn") => void;
  /** The run's host budgets; defaults when omitted. */
  budget?: HostBudgetMeter;
  /** Called with the `meta` of each nested workflow `workflow()` loads (its phases set agent defaults too). */
  onWorkflowLoaded?: (meta: ScriptMeta) => void;
}

/** How deep `workflow()` nests: the run's script may start workflows, a started workflow may not. */
const MAX_WORKFLOW_DEPTH = 1;

/** Builds the `SandboxHost` a run's sandbox talks to. */
export function createScriptHost(options: ScriptHostOptions): SandboxHost {
  const { scheduler } = options;
  const budget = options.budget ?? new HostBudgetMeter();
  const context: ExtensionContext = {
    agent: (prompt, agentOptions, phase, onQueued) => scheduler.call(prompt, agentOptions, phase, onQueued),
    log: (message, level = "info") => options.onLog(message, level),
    signal: options.signal,
    budget,
    agents: () => scheduler.records,
  };
  // Each loaded workflow gets an unguessable token; its `workflow` function passes it back, so nesting is
  // counted here, whatever the script does with the functions it was given.
  const depthOf = new Map<string, number>();
  const calls = new Map<string, (args: JsonValue[]) => Promise<JsonValue | undefined>>();
  calls.set("agent", async ([prompt, agentOptions, phase]) => {
    const record = await scheduler.call(prompt, agentOptions, typeof phase === "string" ? phase : null);
    return record ? record.output : null;
  });
  calls.set("workflow", async ([ref, parent]) => {
    const depth = parent === null || parent === undefined ? 0 : depthOf.get(String(parent));
    if (depth === undefined) throw new InvalidScriptCallError("workflow(): called with a token the host never issued");
    if (depth >= MAX_WORKFLOW_DEPTH) throw new WorkflowNestingError();
    const loaded = await loadWorkflow(ref, options.resolveWorkflow, budget, options.onWorkflowLoaded);
    const token = randomUUID();
    depthOf.set(token, depth + 1);
    return { ...loaded, token };
  });
  for (const extension of options.extensions) {
    for (const [name, handler] of Object.entries(extension.calls ?? {})) {
      calls.set(`${extension.name}.${name}`, (args) => handler(args, context));
    }
  }

  return {
    call(name, args) {
      const handler = calls.get(name);
      if (!handler) return Promise.reject(new InvalidScriptCallError(`unknown host call "${name}"`));
      return handler(args);
    },
    notify(name, args) {
      const text = typeof args[0] === "string" ? args[0] : JSON.stringify(args[0]);
      if (name === "phase") options.onPhase(text);
      else if (name === "log") options.onLog(text, "info");
      else if (name === "warn") options.onLog(text, "warn");
    },
  };
}

async function loadWorkflow(
  ref: JsonValue | undefined,
  resolve: WorkflowResolver | undefined,
  budget: HostBudgetMeter,
  onLoaded: ((meta: ScriptMeta) => void) | undefined,
): Promise<{ functionSource: string; filename: string }> {
  let source: string;
  let filename: string;
  if (isObject(ref) && typeof ref.script === "string") {
    source = ref.script;
    filename = typeof ref.name === "string" ? `${ref.name}.js` : "inline-workflow.js";
  } else if (typeof ref === "string" || (isObject(ref) && typeof ref.scriptPath === "string")) {
    if (!resolve) throw new WorkflowLoadError("workflow(): this run has no saved workflows to load from");
    const found = await resolve(typeof ref === "string" ? ref : { scriptPath: ref.scriptPath as string });
    source = found.source;
    filename = found.filename;
  } else {
    throw new WorkflowLoadError("workflow(ref, args): ref must be a workflow name, { scriptPath } or { script }");
  }
  budget.workflowLoad(source);
  const parsed = parseScript(source, filename);
  onLoaded?.(parsed.meta);
  return { functionSource: parsed.functionSource, filename: parsed.filename };
}
