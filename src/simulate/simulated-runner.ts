/**
 * An `AgentRunner` that spends no tokens: each agent waits a configurable
 * latency and answers with a schema-valid synthetic value (or a short text),
 * reporting the usage a real agent would likely have had. It previews a plan's
 * shape, concurrency and cost before anything real runs.
 * Nothing a script can read (text, values, branch, commit, files, summary)
 * says it was simulated: a script must not behave one way under the
 * estimate and another for real.
 */
import { createHash } from "node:crypto";
import { DEFAULT_SERVER_TOOL_PRICES, serverToolCostOf, type Role, type ServerToolUse } from "../agents/model/index.js";
import { isObject, type AgentRequest, type AgentResult, type AgentRunner, type ChangeRef, type JsonValue, type TokenUsage } from "../runtime/types.js";
import { DEFAULT_USAGE_MODEL, estimateAgentUsage, FETCHES_PER_WEB_AGENT, SEARCHES_PER_WEB_AGENT, type UsageModel } from "./estimate-usage.js";
import { synthesizeValue } from "./synthesize-value.js";
import { sleep } from "../time.js";

export interface SimulatedRunnerOptions {
  /** Milliseconds each agent takes; default `latencyOf` its usage, else 0. */
  latencyMs?: number;
  /** How long an agent takes from its estimated usage, when `latencyMs` is not given. */
  latencyOf?: (usage: TokenUsage) => number;
  /** Elements of every synthesized array; default: drawn per array within its schema (see `synthesizeValue`). */
  items?: number;
  /** Seed of every synthesized choice: the same seed, the same answers. Default "1". */
  seed?: string;
  usageModel?: UsageModel;
  /** Model assumed when a call names none, for pricing. */
  defaultModel: string;
  /** Model of each role when a call names none (over `defaultModel`). */
  models?: Partial<Record<Role, string>>;
  /** Dollar cost of a usage on a model (tokens only; web uses are priced here). */
  priceOf: (usage: TokenUsage, model: string) => number;
  /** Waits `ms` (injected so tests and simulations can use fake or virtual time). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * What simulated refuters conclude. `upheld` (default) previews the
   * cheapest path, one round per line of work; `refuted` previews the most
   * expensive one, every line running all its rounds.
   */
  refuterVerdict?: "upheld" | "refuted";
  /** The file a simulated worker reports as changed; default `README.md`. */
  changedPath?: (request: AgentRequest) => string;
}

/** Tokens one web search or fetch adds to an agent's input (results enter its context); a named assumption. */
const TOKENS_PER_SEARCH = 2_000;
const TOKENS_PER_FETCH = 2_500;

const defaultSleep = (ms: number, signal: AbortSignal) => (ms <= 0 ? Promise.resolve() : sleep(ms, { signal }));

/** Creates a simulated runner. */
export function createSimulatedRunner(options: SimulatedRunnerOptions): AgentRunner {
  const sleep = options.sleep ?? defaultSleep;
  const usageModel = options.usageModel ?? DEFAULT_USAGE_MODEL;
  const seed = options.seed ?? "1";
  return {
    async run(request: AgentRequest): Promise<AgentResult> {
      const { prompt, options: agentOptions } = request;
      const role = agentOptions.role ?? "worker";
      const web: ServerToolUse = {
        webSearch: Math.min(agentOptions.web?.search ?? 0, SEARCHES_PER_WEB_AGENT),
        webFetch: Math.min(agentOptions.web?.fetch ?? 0, FETCHES_PER_WEB_AGENT),
      };
      const usage = estimateAgentUsage(prompt, agentOptions, usageModel);
      usage.input += web.webSearch * TOKENS_PER_SEARCH + web.webFetch * TOKENS_PER_FETCH;
      await sleep(options.latencyMs ?? options.latencyOf?.(usage) ?? 0, request.signal);
      let output: JsonValue =
        agentOptions.schema === undefined
          ? `Done: ${firstLine(prompt)}`
          : synthesizeValue(agentOptions.schema, { ...(options.items === undefined ? {} : { items: options.items }), seed: `${seed}:${request.agentId}` });
      if (role === "refuter" && isObject(output) && "verdict" in output) {
        output = { ...output, verdict: options.refuterVerdict ?? "upheld", evidence: "Checked the change against the task; no counterexample found." };
      }
      const model = agentOptions.model ?? options.models?.[role] ?? options.defaultModel;
      // A simulated worker "changes" one file, so review and merge steps of the plan show up in the
      // preview; one given no write scope (`write: []`) or no write tool by its agent type changes nothing.
      const readOnly = (agentOptions.write !== undefined && agentOptions.write.length === 0) || (agentOptions.tools !== undefined && !agentOptions.tools.includes("write_file") && !agentOptions.tools.includes("edit_file"));
      const change = role === "worker" && !readOnly ? simulatedChange(request, options.changedPath?.(request) ?? "README.md") : null;
      const costUsd = options.priceOf(usage, model) + serverToolCostOf(web, DEFAULT_SERVER_TOOL_PRICES);
      const meta: { [key: string]: JsonValue } = { simulated: true, model, summary: `Done: ${firstLine(prompt)}` };
      if (web.webSearch > 0 || web.webFetch > 0) Object.assign(meta, { webSearches: web.webSearch, webFetches: web.webFetch });
      return { output, usage, costUsd, change, meta };
    },
  };
}


function firstLine(prompt: string): string {
  const line = prompt.trim().split("\n", 1)[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** A commit id as git would print one, stable for the same call. */
export function pseudoCommit(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

function simulatedChange(request: AgentRequest, path: string): ChangeRef {
  return {
    branch: `dynflow/${request.runId}-work/${request.agentId}`,
    commit: pseudoCommit(request.key),
    base: pseudoCommit(`${request.key}:base`),
    files: [{ path, status: "modified", additions: 1, deletions: 1 }],
    additions: 1,
    deletions: 1,
    incomplete: false,
  };
}
