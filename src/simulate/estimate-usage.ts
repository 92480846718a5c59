/**
 * The token model behind simulations and pre-run estimates. It is a model,
 * not a measurement: every figure is a named default that callers can change.
 */
import { EFFORT_OUTPUT_FACTOR, isEffort } from "../agents/model/index.js";
import type { AgentOptions, TokenUsage } from "../runtime/types.js";

export interface UsageModel {
  /** Tokens of tools + system prompt every agent starts with. */
  baseContextTokens: number;
  /** Model turns an agent takes on average (tool calls + the final answer). */
  turnsPerAgent: number;
  /** Tokens each turn adds to the context (tool results, file excerpts). */
  tokensPerTurn: number;
  /** Tokens the model writes per turn. */
  outputTokensPerTurn: number;
  /** Share of the base context read from the prompt cache after the first turn (0–1). */
  cacheReadShare: number;
}

export const DEFAULT_USAGE_MODEL: Readonly<UsageModel> = Object.freeze({
  baseContextTokens: 3_000,
  turnsPerAgent: 6,
  tokensPerTurn: 1_200,
  outputTokensPerTurn: 350,
  cacheReadShare: 0.8,
});

/** Refuters read, they do not write: fewer turns and less output. */
const ROLE_TURN_FACTOR: Record<NonNullable<AgentOptions["role"]>, number> = { worker: 1, refuter: 0.7, resolver: 0.5 };

/** Web searches a simulated agent makes when it has web search (a named assumption, capped by its grant). */
export const SEARCHES_PER_WEB_AGENT = 3;
/** Web fetches a simulated agent makes when it has web fetch. */
export const FETCHES_PER_WEB_AGENT = 2;

/**
 * Estimated usage of one agent. Each turn re-sends the growing context; the
 * base context is mostly read from cache after the first turn. Effort scales
 * what the agent writes (thinking is billed as output).
 */
export function estimateAgentUsage(prompt: string, options: AgentOptions, model: UsageModel = DEFAULT_USAGE_MODEL): TokenUsage {
  const turns = Math.max(1, Math.round(model.turnsPerAgent * ROLE_TURN_FACTOR[options.role ?? "worker"]));
  const promptTokens = Math.ceil(prompt.length / 4) + (options.schema ? Math.ceil(JSON.stringify(options.schema).length / 4) : 0);
  const usage: TokenUsage = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
  const outputPerTurn = Math.round(model.outputTokensPerTurn * (isEffort(options.effort) ? EFFORT_OUTPUT_FACTOR[options.effort] : 1));
  for (let turn = 0; turn < turns; turn++) {
    const cached = turn === 0 ? 0 : Math.round(model.baseContextTokens * model.cacheReadShare);
    const written = turn === 0 ? Math.round(model.baseContextTokens * model.cacheReadShare) : 0;
    usage.cacheRead += cached;
    usage.cacheWrite += written;
    usage.input += model.baseContextTokens - cached - written + promptTokens + turn * (model.tokensPerTurn + outputPerTurn);
    usage.output += outputPerTurn;
  }
  return usage;
}
