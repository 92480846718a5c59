/**
 * The host side of the script API: what each bridge call from the sandbox
 * does. The guest prelude (script-api/build-prelude.ts) is its counterpart.
 */
import type { AgentScheduler } from "./agent-scheduler.js";
import { InvalidScriptCallError, WorkflowLoadError } from "./errors.js";
import { parseScript } from "./script/parse-script.js";
import type { SandboxHost } from "./sandbox/types.js";
import type { AgentOptions, AgentRecord, JsonValue, RunEvent, ScriptMeta } from "./types.js";

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
  /** Called with the `meta` of each nested workflow `workflow()` loads (its phases set agent defaults too). */
  onWorkflowLoaded?: (meta: ScriptMeta) => void;
}

/** Builds the `SandboxHost` a run's sandbox talks to. */
export function createScriptHost(options: ScriptHostOptions): SandboxHost {
  const { scheduler } = options;
  const context: ExtensionContext = {
    agent: (prompt, agentOptions, phase, onQueued) => scheduler.call(prompt, agentOptions, phase, onQueued),
    log: (message, level = "info") => options.onLog(message, level),
    signal: options.signal,
  };
  const calls = new Map<string, (args: JsonValue[]) => Promise<JsonValue | undefined>>();
  calls.set("agent", async ([prompt, agentOptions, phase]) => {
    const record = await scheduler.call(prompt, agentOptions, typeof phase === "string" ? phase : null);
    return record ? record.output : null;
  });
  calls.set("workflow", ([ref]) => loadWorkflow(ref, options.resolveWorkflow, options.onWorkflowLoaded));
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
  onLoaded: ((meta: ScriptMeta) => void) | undefined,
): Promise<JsonValue> {
  let source: string;
  let filename: string;
  if (ref !== null && typeof ref === "object" && !Array.isArray(ref) && typeof ref.script === "string") {
    source = ref.script;
    filename = typeof ref.name === "string" ? `${ref.name}.js` : "inline-workflow.js";
  } else if (typeof ref === "string" || (ref !== null && typeof ref === "object" && !Array.isArray(ref) && typeof ref.scriptPath === "string")) {
    if (!resolve) throw new WorkflowLoadError("workflow(): this run has no saved workflows to load from");
    const found = await resolve(typeof ref === "string" ? ref : { scriptPath: ref.scriptPath as string });
    source = found.source;
    filename = found.filename;
  } else {
    throw new WorkflowLoadError("workflow(ref, args): ref must be a workflow name, { scriptPath } or { script }");
  }
  const parsed = parseScript(source, filename);
  onLoaded?.(parsed.meta);
  return { functionSource: parsed.functionSource, filename: parsed.filename };
}
