/**
 * An `AgentRunner` that spends no tokens: each agent waits a configurable
 * latency and answers with a schema-valid synthetic value (or a short text),
 * reporting the usage a real agent would likely have had. It previews a plan's
 * shape, concurrency and cost before anything real runs.
 */
import type { Role } from "../agents/model/models.js";
import { DEFAULT_SERVER_TOOL_PRICES, serverToolCostOf, type ServerToolUse } from "../agents/model/models.js";
import type { AgentRequest, AgentResult, AgentRunner, ChangeRef, JsonValue, TokenUsage } from "../runtime/types.js";
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
          ? `Simulated result of ${request.agentId}: ${prompt.slice(0, 80)}`
          : synthesizeValue(agentOptions.schema, { ...(options.items === undefined ? {} : { items: options.items }), seed: `${seed}:${request.agentId}` });
      if (role === "refuter" && isObject(output) && "verdict" in output) {
        output = { ...output, verdict: options.refuterVerdict ?? "upheld", evidence: "simulated verdict" };
      }
      const model = agentOptions.model ?? options.models?.[role] ?? options.defaultModel;
      // A simulated worker "changes" one file, so review and merge steps of the plan show up in the
      // preview; one given no write scope (`write: []`) or no write tool by its agent type changes nothing.
      const readOnly = (agentOptions.write !== undefined && agentOptions.write.length === 0) || (agentOptions.tools !== undefined && !agentOptions.tools.includes("write_file") && !agentOptions.tools.includes("edit_file"));
      const change = role === "worker" && !readOnly ? simulatedChange(request) : null;
      const costUsd = options.priceOf(usage, model) + serverToolCostOf(web, DEFAULT_SERVER_TOOL_PRICES);
      const meta: { [key: string]: JsonValue } = { simulated: true, model, summary: "simulated change" };
      if (web.webSearch > 0 || web.webFetch > 0) Object.assign(meta, { webSearches: web.webSearch, webFetches: web.webFetch });
      return { output, usage, costUsd, change, meta };
    },
  };
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function simulatedChange(request: AgentRequest): ChangeRef {
  return {
    branch: `dynflow/${request.runId}-work/${request.agentId}`,
    commit: "0".repeat(40),
    base: "0".repeat(40),
    files: [{ path: "(simulated)", status: "modified", additions: 1, deletions: 1 }],
    additions: 1,
    deletions: 1,
    incomplete: false,
  };
}
