/**
 * The runtime's data contracts. Everything that plugs into the runtime (agent
 * runners, journals, progress UIs, script extensions) depends on this file and
 * nothing deeper, so the runtime can be run and tested with no model and no
 * GitHub at all.
 */
import type { DynflowError } from "../errors.js";

/** A value that can cross the sandbox boundary: JSON, copied, never shared. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** An object with keys (a JSON object): not null, not an array. Narrows a `JsonValue` to its object case. */
export function isObject(value: unknown): value is { [key: string]: unknown } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A JSON Schema document (draft 2020-12 or 07 as ajv accepts it). */
export type JsonSchema = { [key: string]: JsonValue } | boolean;

/** Token counts of one or more model calls, split the way they are priced. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

export const ZERO_USAGE: Readonly<TokenUsage> = Object.freeze({ input: 0, output: 0, cacheWrite: 0, cacheRead: 0 });

/** Sum of all four token kinds: what a token budget counts. */
export function totalTokens(usage: TokenUsage): number {
  return usage.input + usage.output + usage.cacheWrite + usage.cacheRead;
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    cacheRead: a.cacheRead + b.cacheRead,
  };
}

/**
 * Options of one `agent()` call after normalisation. The first group is what
 * Claude Code's workflow scripts accept; the second is dynflow's additions.
 */
export interface AgentOptions {
  /** Display label in progress views and reports. */
  label?: string;
  /** Progress group; defaults to the phase current when the call was made. */
  phase?: string;
  /** JSON Schema the agent's result must satisfy. */
  schema?: JsonSchema;
  /** Model id override for this call. */
  model?: string;
  /** Claude Code's isolation mode; every dynflow agent is isolated already. */
  isolation?: string;
  /** Named agent type (a role hint for the runner). */
  agentType?: string;
  /** Reasoning effort hint. */
  effort?: string;
  // --- dynflow additions ---
  /** Which kind of agent the runner should start. Default `worker`. */
  role?: "worker" | "refuter" | "resolver";
  /** Globs the agent may write. Omitted: anywhere but protected paths. */
  write?: string[];
  /** Max model turns for this agent. */
  maxTurns?: number;
  /** Structured context for the runner (e.g. the change a refuter reviews). */
  subject?: JsonValue;
  // --- resolved by the run's agent setup (see `AgentPreparer`), never set by a script ---
  /** The agent type's role prompt (from `.claude/agents/<type>.md` or a built-in type), placed inside dynflow's frame. */
  rolePrompt?: { type: string; source: string; text: string };
  /** dynflow tool names the agent may use (its agent type's `tools`, plus `finish`); omitted: every tool of its role. */
  tools?: string[];
  /** dynflow tool names taken away (its agent type's `disallowedTools`); `finish` is never taken away. */
  withoutTools?: string[];
  /** Web tools this agent may use, with how many uses it may make; set when the agent starts (see journal-key.ts). */
  web?: WebToolsGrant;
}

/** Anthropic's server-side web tools granted to one agent. */
export interface WebToolsGrant {
  /** Searches this agent may make (0: web search is not offered). */
  search: number;
  /** Fetches this agent may make (0: web fetch is not offered). */
  fetch: number;
  allowedDomains?: string[];
  blockedDomains?: string[];
  /** Largest fetched page, in tokens. */
  maxContentTokens?: number;
}

/** One request from the runtime to an agent runner. */
export interface AgentRequest {
  runId: string;
  /** Unique within the run, e.g. `a17`. Stable across replays of the same script. */
  agentId: string;
  /** Journal key (content-derived). */
  key: string;
  /** Display label (`opts.label`, else the prompt's first line). */
  label: string;
  prompt: string;
  options: AgentOptions;
  /** 1-based attempt number when schema validation asks for another try. */
  attempt: number;
  /** The previous attempt's validation error, to feed back to the model. */
  feedback?: string;
  /**
   * Validates a candidate result against `options.schema` (always ok without
   * one). Runners may call it inside the conversation to repair before finishing.
   */
  validate(value: unknown): { ok: true } | { ok: false; error: string };
  /** Aborted when the run is cancelled or hits its deadline. */
  signal: AbortSignal;
}

/**
 * A change an agent made to its workspace, as metadata only (never file
 * contents), so the coordinating script holds small values.
 */
export interface ChangeRef {
  /** Branch that holds the change, e.g. `dynflow/<run-id>-work/<slug>`. */
  branch: string;
  /** Commit id of the change. */
  commit: string;
  /** Base commit the workspace was forked from. */
  base: string;
  files: { path: string; status: "added" | "modified" | "deleted"; additions: number; deletions: number }[];
  additions: number;
  deletions: number;
  /** True when the agent stopped early (max turns, budget) and the change may be partial. */
  incomplete: boolean;
}

/** What an agent runner returns for one attempt. */
export interface AgentResult {
  /** Text, or the object the schema asked for. */
  output: JsonValue;
  usage: TokenUsage;
  costUsd: number;
  /** The change the agent committed, if it wrote anything. */
  change?: ChangeRef | null;
  /** Small facts for reports: turns used, stop reason, model. */
  meta?: { [key: string]: JsonValue };
}

/**
 * Runs agents. Throwing means the agent failed: the runtime turns it into a
 * `null` result for the script (it never throws into the script). Throw an
 * `AgentFailedError` to report the usage spent before failing.
 */
export interface AgentRunner {
  run(request: AgentRequest): Promise<AgentResult>;
}

/** A phase's entry in `meta.phases`: its title and the defaults it sets for agents in it. */
export interface PhaseDefaults {
  title: string;
  /** Model (id or shortcut) of agents in the phase that name none. */
  model?: string;
  /** Effort of agents in the phase that set none. */
  effort?: string;
}

/** One `agent()` call as the run's agent setup sees it. */
export interface AgentSetupCall {
  prompt: string;
  /** The call's options, normalised. */
  options: AgentOptions;
  /** The phase the agent is counted under, with its `meta.phases` entry when it has one. */
  phase: PhaseDefaults | null;
}

/**
 * What an `agent()` call becomes before it is journal-keyed and queued: its
 * options with agent type, model, effort and tools resolved; or the reason the
 * agent fails (an unknown agent type); or the reason the whole run stops (a
 * model without a price).
 */
export type AgentSetup =
  | { ok: true; options: AgentOptions; warnings?: string[] }
  | { ok: false; error: string; warnings?: string[] }
  | { ok: false; fatal: DynflowError; warnings?: string[] };

/** Resolves each `agent()` call before it runs (see `AgentSetup`). Calls are set up one at a time, in call order. */
export type AgentPreparer = (call: AgentSetupCall) => Promise<AgentSetup>;

/** A journaled, successful agent call. Failures are never journaled. */
export interface JournalEntry {
  key: string;
  label: string;
  output: JsonValue;
  change: ChangeRef | null;
  usage: TokenUsage;
  costUsd: number;
  meta: { [key: string]: JsonValue };
}

/** Where finished agent results are kept so a re-run does not pay twice. */
export interface Journal {
  get(key: string): Promise<JournalEntry | undefined>;
  put(entry: JournalEntry): Promise<void>;
}

/** Limits of the orchestration (agents, items, money). */
export interface RunLimits {
  /** Agents running at once, 1–256. Excess calls queue in call order. */
  maxConcurrency: number;
  /** Agents started in one run (replayed ones included). */
  maxAgents: number;
  /** Items in one `parallel()` / `pipeline()` call. */
  maxItems: number;
  /** Token budget (all four kinds), or null for none. */
  budgetTokens: number | null;
  /** Dollar budget, or null for none. */
  budgetUsd: number | null;
  /** Attempts for an agent whose output fails its schema. */
  maxSchemaAttempts: number;
  /** The estimate the run was admitted on without approval; it stops for approval past it. None: no such bound. */
  contract?: EstimateContract | null;
}

/**
 * A run started without approval because its estimate was small holds to
 * that estimate: past `factor` times its agents or dollars it stops taking
 * work (in-flight agents finish) with `EstimateExceededError`.
 */
export interface EstimateContract {
  factor: number;
  estimatedAgents: number;
  estimatedUsd: number;
}

export const DEFAULT_RUN_LIMITS: Readonly<RunLimits> = Object.freeze({
  maxConcurrency: 16,
  maxAgents: 1000,
  maxItems: 4096,
  budgetTokens: null,
  budgetUsd: null,
  maxSchemaAttempts: 5,
});

/** Limits of the script sandbox itself. */
export interface SandboxLimits {
  /** CPU time the script itself may use (time awaiting agents excluded). */
  cpuMs: number;
  /** Memory of the sandbox's engine, hard. */
  memoryMb: number;
  /** Stack size of the guest. */
  stackKb: number;
  /** Size of one value crossing the boundary, serialised as JSON. */
  maxValueBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  cpuMs: 10_000,
  memoryMb: 64,
  stackKb: 512,
  maxValueBytes: 1024 * 1024,
});

/** The script's `export const meta = {...}`. */
export interface ScriptMeta {
  name: string;
  description: string;
  phases?: { title: string; [key: string]: JsonValue }[];
  [key: string]: JsonValue | undefined;
}

export type RunStatus = "ok" | "error" | "capped" | "budget-exhausted" | "cancelled";

/** Where an error came from, for the user. `line` is 1-based in the script. */
export interface RunErrorInfo {
  code: string;
  message: string;
  line?: number;
  /** Script file the line belongs to (the main script or a nested workflow). */
  file?: string;
}

export type AgentStatus = "finished" | "failed" | "cached";

/** One agent call as the run saw it. */
export interface AgentRecord {
  id: string;
  key: string;
  label: string;
  phase: string | null;
  role: NonNullable<AgentOptions["role"]>;
  status: AgentStatus;
  output: JsonValue;
  change: ChangeRef | null;
  usage: TokenUsage;
  costUsd: number;
  attempts: number;
  error?: string;
  /** True when a person stopped the agent (its call resolved null; `status` is `failed`). */
  stopped?: boolean;
  meta: { [key: string]: JsonValue };
}

/** Everything a run produced; finished work is here whatever the status. */
export interface RunOutcome {
  runId: string;
  status: RunStatus;
  error: RunErrorInfo | null;
  /** The script's return value (undefined when it returned nothing or did not finish). */
  result: JsonValue | undefined;
  meta: ScriptMeta | null;
  agents: AgentRecord[];
  stats: { total: number; maxConcurrent: number; failed: number; cached: number };
  phases: { title: string; agents: number }[];
  /** Usage of every agent of the run, replayed ones included. */
  usage: TokenUsage;
  costUsd: number;
  /** Usage paid in this execution only (replayed agents excluded). */
  freshUsage: TokenUsage;
  freshCostUsd: number;
  wallMs: number;
  logs: string[];
  warnings: string[];
}

/** Typed progress events; progress UIs subscribe to these. */
export type RunEvent =
  | { type: "run.started"; runId: string; at: number; meta: ScriptMeta }
  | { type: "run.finished"; runId: string; at: number; status: RunStatus; error: RunErrorInfo | null }
  | { type: "phase"; title: string; at: number }
  | { type: "agent.queued"; agentId: string; label: string; phase: string | null; role: AgentRecord["role"]; at: number }
  | { type: "agent.started"; agentId: string; at: number }
  | { type: "agent.finished"; agentId: string; at: number; usage: TokenUsage; costUsd: number; change: ChangeRef | null }
  | { type: "agent.failed"; agentId: string; at: number; error: string; usage: TokenUsage; costUsd: number; stopped?: boolean }
  | { type: "agent.cached"; agentId: string; at: number; usage: TokenUsage; costUsd: number; change: ChangeRef | null }
  | { type: "log"; level: "info" | "warn"; message: string; at: number }
  | {
      type: "budget";
      at: number;
      spentTokens: number;
      spentUsd: number;
      budgetTokens: number | null;
      budgetUsd: number | null;
    };

// Defined with the timers in src/time.ts; re-exported for the runtime's many callers.
export { systemClock, type Clock } from "../time.js";
