/**
 * An `AgentRunner` that spends no tokens: each agent waits a configurable
 * latency and answers with a schema-valid synthetic value (or a short text),
 * reporting the usage a real agent would likely have had. It previews a plan's
 * shape, concurrency and cost before anything real runs.
 */
import type { AgentRequest, AgentResult, AgentRunner, ChangeRef, JsonValue, TokenUsage } from "../runtime/types.js";
import { DEFAULT_USAGE_MODEL, estimateAgentUsage, type UsageModel } from "./estimate-usage.js";
import { synthesizeValue } from "./synthesize-value.js";
import { sleep } from "../time.js";

export interface SimulatedRunnerOptions {
  /** Milliseconds each agent takes. Default 0. */
  latencyMs?: number;
  /** Elements of every synthesized array. Default 3. */
  items?: number;
  usageModel?: UsageModel;
  /** Model assumed when a call names none, for pricing. */
  defaultModel: string;
  /** Dollar cost of a usage on a model. */
  priceOf: (usage: TokenUsage, model: string) => number;
  /** Waits `ms` (injected so tests can use fake timers). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * What simulated refuters conclude. `upheld` (default) previews the
   * cheapest path, one round per line of work; `refuted` previews the most
   * expensive one, every line running all its rounds.
   */
  refuterVerdict?: "upheld" | "refuted";
}

const defaultSleep = (ms: number, signal: AbortSignal) => (ms <= 0 ? Promise.resolve() : sleep(ms, { signal }));

/** Creates a simulated runner. */
export function createSimulatedRunner(options: SimulatedRunnerOptions): AgentRunner {
  const sleep = options.sleep ?? defaultSleep;
  const usageModel = options.usageModel ?? DEFAULT_USAGE_MODEL;
  return {
    async run(request: AgentRequest): Promise<AgentResult> {
      await sleep(options.latencyMs ?? 0, request.signal);
      const { prompt, options: agentOptions } = request;
      const role = agentOptions.role ?? "worker";
      let output: JsonValue =
        agentOptions.schema === undefined
          ? `Simulated result of ${request.agentId}: ${prompt.slice(0, 80)}`
          : synthesizeValue(agentOptions.schema, { items: options.items ?? 3, seed: request.agentId });
      if (role === "refuter" && isObject(output) && "verdict" in output) {
        output = { ...output, verdict: options.refuterVerdict ?? "upheld", evidence: "simulated verdict" };
      }
      const usage = estimateAgentUsage(prompt, agentOptions, usageModel);
      const model = agentOptions.model ?? options.defaultModel;
      // A simulated worker "changes" one file, so review and merge steps of the plan show up in the
      // preview; one given no write scope (`write: []`) is read-only and changes nothing.
      const readOnly = agentOptions.write !== undefined && agentOptions.write.length === 0;
      const change = role === "worker" && !readOnly ? simulatedChange(request) : null;
      return { output, usage, costUsd: options.priceOf(usage, model), change, meta: { simulated: true, model, summary: "simulated change" } };
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
