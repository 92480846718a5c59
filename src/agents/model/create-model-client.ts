/**
 * The only door to Anthropic's Messages API. Adds to the official SDK: typed
 * failures that say what to do, usage and dollars per call, and the prefix
 * hold that lets a fan-out share one prompt-cache write.
 *
 * The SDK does the retrying (429, 529, other 5xx, 408/409, connection errors,
 * timeouts) with exponential backoff and honours `retry-after`.
 */
import { APIUserAbortError, type Middleware } from "@anthropic-ai/sdk";
import type { Message, MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { pino, type Logger } from "pino";
import type { TokenUsage } from "../../runtime/types.js";
import type { Clock, Timers } from "../../time.js";
import { ModelCallAbortedError } from "./errors.js";
import {
  costOf,
  DEFAULT_PRICES,
  DEFAULT_SERVER_TOOL_PRICES,
  priceFor,
  serverToolCostOf,
  serverToolUseFromApi,
  usageFromApi,
  type PriceTable,
  type ServerToolPrices,
  type ServerToolUse,
} from "./models.js";
import { PrefixGate } from "./prefix-gate.js";
import { createSdk } from "./create-sdk.js";
import { toModelApiError } from "./to-model-api-error.js";
import { timeStage } from "../../timing/stage-timer.js";
import { bufferedFetch } from "../../http/buffered-fetch.js";

export interface ModelClientOptions {
  /** `ANTHROPIC_API_KEY`, read at the app's edge and passed in. */
  apiKey: string;
  /** `ANTHROPIC_BASE_URL`; default `https://api.anthropic.com`. */
  baseURL?: string;
  /** Overrides and additions to `DEFAULT_PRICES`, by model id. */
  prices?: PriceTable;
  /** Dollars per use of web search and web fetch; default `DEFAULT_SERVER_TOOL_PRICES`. */
  serverToolPrices?: ServerToolPrices;
  /** Retries after the first attempt. Default 4 (5 attempts). */
  maxRetries?: number;
  /** Time allowed per attempt until the response begins, in ms. Default 10 minutes. */
  timeoutMs?: number;
  log?: Logger;
  /** Custom fetch (tests, proxies). Default `bufferedFetch`: answers here are never streamed. */
  fetch?: typeof globalThis.fetch;
  /** Longest time a request waits for a sibling's cache write; 0 disables. Default 5000. */
  prefixHoldMs?: number;
  clock?: Clock;
  timers?: Timers;
}

export interface CreateMessageOptions {
  /** Aborts the call, also while it is held or between retries. */
  signal?: AbortSignal;
  /** Requests with the same key share a cached prefix (see `withCacheControl`). */
  prefixKey?: string;
}

export interface ModelResponse {
  message: Message;
  usage: TokenUsage;
  /** Uses of server-side tools (web search, web fetch) in this response. */
  serverToolUse: ServerToolUse;
  /** Tokens and server-tool uses together. */
  costUsd: number;
  requestId: string | null;
  /** HTTP attempts made, retries included. */
  attempts: number;
}

export interface ModelClient {
  /**
   * Sends one non-streaming Messages request. Throws `UnknownModelPriceError`
   * before sending when the model has no price, `ModelCallAbortedError` when
   * `signal` aborts, and `ModelApiError` when the API fails for good.
   */
  createMessage(params: MessageCreateParamsNonStreaming, options?: CreateMessageOptions): Promise<ModelResponse>;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Creates a model client; see `ModelClientOptions` for the defaults. */
export function createModelClient(options: ModelClientOptions): ModelClient {
  const apiKey = options.apiKey;
  const prices: PriceTable = { ...DEFAULT_PRICES, ...options.prices };
  const toolPrices = options.serverToolPrices ?? DEFAULT_SERVER_TOOL_PRICES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const log = options.log ?? pino({ level: "silent" });
  const gate = new PrefixGate({ holdMs: options.prefixHoldMs ?? 5000, clock: options.clock, timers: options.timers });
  const sdk = createSdk({ apiKey, baseURL: options.baseURL, maxRetries: options.maxRetries, timeoutMs, fetch: options.fetch ?? bufferedFetch }, log);

  async function createMessage(
    params: MessageCreateParamsNonStreaming,
    { signal, prefixKey }: CreateMessageOptions = {},
  ): Promise<ModelResponse> {
    const price = priceFor(params.model, prices);
    const pass = await gate.enter(prefixKey ?? "", signal);
    let attempts = 0;
    let began = false;
    // Runs around every HTTP attempt the SDK makes, retries included.
    const observe: Middleware = async (request, next) => {
      attempts += 1;
      let response: Response;
      try {
        response = await next(request);
      } catch (error) {
        // Rethrown as is: the SDK recognises its own fetch errors to retry them.
        if (!signal?.aborted) log.warn({ model: params.model, attempt: attempts }, "model API attempt got no response");
        throw error;
      }
      if (!response.ok) {
        log.warn({ model: params.model, status: response.status, attempt: attempts }, "model API attempt failed");
      } else if (!began) {
        began = true;
        pass.began();
      }
      return response;
    };
    try {
      const { data, request_id } = await timeStage("model", () => sdk.messages.create(params, { signal, timeout: timeoutMs, middleware: [observe] }).withResponse());
      const usage = usageFromApi(data.usage);
      const serverToolUse = serverToolUseFromApi(data.usage);
      const costUsd = costOf(usage, price) + serverToolCostOf(serverToolUse, toolPrices);
      log.debug({ model: params.model, attempts, usage, serverToolUse, costUsd, requestId: request_id }, "model call finished");
      return { message: data, usage, serverToolUse, costUsd, requestId: request_id ?? null, attempts };
    } catch (error) {
      if (error instanceof APIUserAbortError || signal?.aborted) throw new ModelCallAbortedError(attempts);
      const failure = toModelApiError(error, { attempts, timeoutMs, apiKey });
      log.warn({ model: params.model, status: failure.status, type: failure.type, attempts }, "model call failed");
      throw failure;
    } finally {
      pass.done();
    }
  }

  return { createMessage };
}
