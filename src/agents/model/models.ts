/**
 * Which model each kind of agent uses by default, what models cost, and how
 * the Messages API's `usage` turns into dollars.
 */
import type { TokenUsage } from "../../runtime/types.js";
import { UnknownModelPriceError } from "./errors.js";

/** The kinds of model calls a run makes. */
export type Role = "planner" | "worker" | "refuter" | "resolver";

/**
 * Default model id per role; repository config can override each one.
 *
 * Planner, worker and resolver use Claude Opus 5.5, the model the models
 * overview recommends starting with for most workloads, built for long-running
 * agentic coding: a wrong plan, edit or merge costs far more than tokens.
 *
 * Refuters use Claude Sonnet 5.5 on purpose. A refuter reviews one claim and
 * one diff with read-only tools, a narrower task than producing the change,
 * and a run starts one or more refuters for every worker in every round, so
 * refuters are the bulk of the calls. Independence comes from a fresh context
 * and several votes, not from the largest model. Sonnet 5.5 costs half of
 * Opus 5.5 per token (less for cache reads) and answers faster. Haiku 5.5 is
 * positioned for classification and routing, too weak to hunt for bugs.
 */
export const DEFAULT_MODELS: Readonly<Record<Role, string>> = Object.freeze({
  planner: "claude-opus-5-5",
  worker: "claude-opus-5-5",
  refuter: "claude-sonnet-5-5",
  resolver: "claude-opus-5-5",
});

/** US dollars per million tokens, by the four ways tokens are billed. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Writing the prompt cache with the default 5-minute TTL. */
  cacheWrite: number;
  /** Cache hits and refreshes. */
  cacheRead: number;
  /**
   * Rates that apply to a whole request (output included) when its prompt
   * (input + cache write + cache read) is longer than `thresholdTokens`.
   */
  longPrompt?: { thresholdTokens: number; input: number; output: number; cacheWrite: number; cacheRead: number };
}

/** Prices by model id. Config may add models or override entries. */
export type PriceTable = { [model: string]: ModelPrice };

/*
 * Read on 2026-11-24 from Anthropic's docs: "Pricing" (platform.claude.com,
 * about-claude/pricing), "Models overview", and the per-model overview pages
 * ("Claude Opus 5.5", "Claude Sonnet 5.5", "Claude Haiku 5.5", "Claude Opus 5").
 *
 * | model              | input | output | cache write 5m | cache read |
 * |--------------------|-------|--------|----------------|------------|
 * | claude-fable-5-2   |  8    | 40     | 10             | 0.20       |
 * | claude-fable-5-1   | 10    | 50     | 12.50          | 0.25       |
 * | claude-fable-5     | 10    | 50     | 12.50          | 1          |
 * | claude-opus-5-5    |  4    | 20     |  5             | 0.20       |
 * | claude-opus-5      |  5    | 25     |  6.25          | 0.50       |
 * | claude-opus-4-8..4-5 | 5   | 25     |  6.25          | 0.50       |
 * | claude-sonnet-5-5  |  2    | 10     |  2.50          | 0.10       |
 * | claude-sonnet-5    |  2    | 10     |  2.50          | 0.20       |
 * | claude-sonnet-4-6, -4-5 | 3 | 15     |  3.75          | 0.30       |
 * | claude-haiku-5-5   |  0.10 | 0.50   |  0.125         | 0.01       | prompts over 100k tokens: 0.50 / 2.50 / 0.625 / 0.05
 * | claude-haiku-4-5   |  1    | 5      |  1.25          | 0.10       |
 *
 * Two rows rest on less than an official page: Fable 5.2's cache rates (its
 * page was not available; the overview lists $8 / $40 and the rates follow the
 * published 1.25x write, 0.025x read of Fable 5.1) and Sonnet 5.5's cache read,
 * cut from $0.20 to $0.10 on 2026-10-07 per the pricing change notes. Override
 * them in config if the pricing page says otherwise.
 */
const OPUS_4X: ModelPrice = { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 };
const SONNET_4X: ModelPrice = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };

/** Built-in prices; see the table above for sources. */
export const DEFAULT_PRICES: Readonly<PriceTable> = Object.freeze({
  "claude-fable-5-2": { input: 8, output: 40, cacheWrite: 10, cacheRead: 0.2 },
  "claude-fable-5-1": { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 0.25 },
  "claude-fable-5": { input: 10, output: 50, cacheWrite: 12.5, cacheRead: 1 },
  "claude-opus-5-5": { input: 4, output: 20, cacheWrite: 5, cacheRead: 0.2 },
  "claude-opus-5": { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  "claude-opus-4-8": OPUS_4X,
  "claude-opus-4-7": OPUS_4X,
  "claude-opus-4-6": OPUS_4X,
  "claude-opus-4-5": OPUS_4X,
  "claude-sonnet-5-5": { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.1 },
  "claude-sonnet-5": { input: 2, output: 10, cacheWrite: 2.5, cacheRead: 0.2 },
  "claude-sonnet-4-6": SONNET_4X,
  "claude-sonnet-4-5": SONNET_4X,
  "claude-haiku-5-5": {
    input: 0.1,
    output: 0.5,
    cacheWrite: 0.125,
    cacheRead: 0.01,
    longPrompt: { thresholdTokens: 100_000, input: 0.5, output: 2.5, cacheWrite: 0.625, cacheRead: 0.05 },
  },
  "claude-haiku-4-5": { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
});

/** A dated snapshot id (`claude-haiku-4-5-20251001`) is priced as its alias. */
const SNAPSHOT_SUFFIX = /-\d{8}$/;

/**
 * The price of `model` in `table`: the exact id, else the id without a dated
 * snapshot suffix. Throws `UnknownModelPriceError` rather than guess, so spend
 * is never silently counted as zero.
 */
export function priceFor(model: string, table: Readonly<PriceTable> = DEFAULT_PRICES): ModelPrice {
  const price = table[model] ?? table[model.replace(SNAPSHOT_SUFFIX, "")];
  if (price === undefined) throw new UnknownModelPriceError(model, Object.keys(table));
  return price;
}

/**
 * Dollars for the usage of one request. Long-prompt rates (when the model has
 * them) depend on each request's prompt length, so price requests one by one
 * and add the dollars, rather than pricing summed usage.
 */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  const prompt = usage.input + usage.cacheWrite + usage.cacheRead;
  const rates = price.longPrompt && prompt > price.longPrompt.thresholdTokens ? price.longPrompt : price;
  return (
    (usage.input * rates.input +
      usage.output * rates.output +
      usage.cacheWrite * rates.cacheWrite +
      usage.cacheRead * rates.cacheRead) /
    1_000_000
  );
}

/** The token fields of the Messages API's `usage` object that dynflow bills. */
export interface ApiUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** Uses of Anthropic's server-side tools in the request (billed per use, on top of tokens). */
  server_tool_use?: { web_search_requests?: number | null; web_fetch_requests?: number | null } | null;
}

/** Uses of Anthropic's server-side tools, counted from `usage.server_tool_use`. */
export interface ServerToolUse {
  webSearch: number;
  webFetch: number;
}

export const NO_SERVER_TOOL_USE: Readonly<ServerToolUse> = Object.freeze({ webSearch: 0, webFetch: 0 });

/** US dollars per use of a server-side tool, on top of the tokens its results add. */
export type ServerToolPrices = ServerToolUse;

/*
 * Read on 2026-11-24 from Anthropic's "Pricing" page (tool use pricing): web
 * search costs $10 per 1,000 searches (an errored search is not billed); web
 * fetch has no charge beyond the tokens of the fetched content.
 */
export const DEFAULT_SERVER_TOOL_PRICES: Readonly<ServerToolPrices> = Object.freeze({ webSearch: 0.01, webFetch: 0 });

/** Server-tool uses of one response (missing counts are 0). */
export function serverToolUseFromApi(usage: ApiUsage): ServerToolUse {
  return { webSearch: usage.server_tool_use?.web_search_requests ?? 0, webFetch: usage.server_tool_use?.web_fetch_requests ?? 0 };
}

/** Dollars for server-tool uses. */
export function serverToolCostOf(uses: ServerToolUse, prices: Readonly<ServerToolPrices> = DEFAULT_SERVER_TOOL_PRICES): number {
  return uses.webSearch * prices.webSearch + uses.webFetch * prices.webFetch;
}

/** Maps the API's `usage` to dynflow's `TokenUsage` (missing cache fields count 0). */
export function usageFromApi(usage: ApiUsage): TokenUsage {
  return {
    input: usage.input_tokens,
    output: usage.output_tokens,
    cacheWrite: usage.cache_creation_input_tokens ?? 0,
    cacheRead: usage.cache_read_input_tokens ?? 0,
  };
}
