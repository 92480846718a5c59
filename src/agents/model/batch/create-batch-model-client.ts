/**
 * A `ModelClient` that sends its requests through Anthropic's Message Batches
 * API: half the price of the Messages API, for work nobody waits on (audits).
 *
 * `createMessage` calls made within `flushMs` of each other go into one batch
 * (at most `maxBatch` requests); the batch is polled every `pollMs` until it
 * has ended, and each caller gets its own message back. Because it implements
 * the same interface, the agents, the journal and resume above it do not
 * change.
 *
 * Costs: `costUsd` is what the batch charges (50% of the standard price for
 * every token kind, see batch-pricing.ts); `listCostUsd` on each response and
 * `totals()` give the standard price too, so a report can show the saving.
 *
 * Prompt caching works in batches on a best-effort basis and requests are
 * processed in any order, so the prefix hold of the Messages API client has
 * nothing to wait for here: `prefixKey` is ignored. Batches can take longer
 * than the default 5-minute cache lifetime; a 1-hour TTL keeps shared
 * prefixes warm across a batch.
 */
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { pino, type Logger } from "pino";
import { realTimers, systemClock, type Clock, type Timers } from "../../../time.js";
import type { CreateMessageOptions, ModelClient } from "../create-model-client.js";
import { ModelCallAbortedError } from "../errors.js";
import { DEFAULT_PRICES, priceFor, type PriceTable } from "../models.js";
import { createSdk } from "../create-sdk.js";
import { BatchCollector } from "./batch-collector.js";
import { MessageBatchRun, type BatchEntry, type BatchModelResponse, type BatchOutcome } from "./run-message-batch.js";

export interface BatchModelClientOptions {
  /** `ANTHROPIC_API_KEY`, read at the app's edge and passed in. */
  apiKey: string;
  /** `ANTHROPIC_BASE_URL`; default `https://api.anthropic.com`. */
  baseURL?: string;
  /** Overrides and additions to `DEFAULT_PRICES` (standard prices; the batch discount is applied on top). */
  prices?: PriceTable;
  /** How long the first request of a batch waits for others to join it, in ms. Default 2000. */
  flushMs?: number;
  /** Requests per batch, 1–100,000 (the API's limit). Default 1000. */
  maxBatch?: number;
  /** Size of a batch's requests as JSON, in bytes; the API accepts up to 256 MB. Default 200 MB. */
  maxBatchBytes?: number;
  /** Time between two polls of a submitted batch, in ms. Default 5000. */
  pollMs?: number;
  /** Retries of each HTTP call to the Batches API after the first attempt. Default 4. */
  maxRetries?: number;
  /** Time allowed per HTTP attempt, in ms. Default 10 minutes. */
  timeoutMs?: number;
  /** Custom fetch (tests, proxies). Default the global fetch. */
  fetch?: typeof globalThis.fetch;
  log?: Logger;
  clock?: Clock;
  timers?: Timers;
}

/** What a batch client has spent so far, at the batch price and at the standard price. */
export interface BatchTotals {
  batches: number;
  requests: number;
  succeeded: number;
  failed: number;
  /** Requests whose caller stopped waiting (signal aborted). */
  aborted: number;
  /** Dollars charged (discounted). */
  costUsd: number;
  /** Dollars the same usage costs through the Messages API; `listCostUsd - costUsd` is the saving. */
  listCostUsd: number;
}

/** A `ModelClient` whose responses carry the batch's ids and the undiscounted price. */
export interface BatchModelClient extends ModelClient {
  createMessage(params: MessageCreateParamsNonStreaming, options?: CreateMessageOptions): Promise<BatchModelResponse>;
  /** Spend of every request this client settled. */
  totals(): BatchTotals;
  /** Submits the batch being collected now instead of waiting for `flushMs`. */
  flush(): void;
}

const MAX_BATCH = 100_000;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Creates a batch model client; see `BatchModelClientOptions` for the defaults. */
export function createBatchModelClient(options: BatchModelClientOptions): BatchModelClient {
  const maxBatch = options.maxBatch ?? 1000;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH) {
    throw new RangeError(`maxBatch must be a whole number from 1 to ${MAX_BATCH} (the Message Batches API's limit); got ${maxBatch}`);
  }
  const { apiKey } = options;
  const prices: PriceTable = { ...DEFAULT_PRICES, ...options.prices };
  const log = options.log ?? pino({ level: "silent" });
  const timers = options.timers ?? realTimers;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sdk = createSdk({ apiKey, baseURL: options.baseURL, maxRetries: options.maxRetries, timeoutMs, fetch: options.fetch }, log);
  const deps = { sdk, pollMs: options.pollMs ?? 5000, timers, clock: options.clock ?? systemClock, log, apiKey, timeoutMs };
  const totals: BatchTotals = { batches: 0, requests: 0, succeeded: 0, failed: 0, aborted: 0, costUsd: 0, listCostUsd: 0 };
  /** The run each submitted entry is in, so an abort can take it out. */
  const runOf = new Map<BatchEntry, MessageBatchRun>();
  let sequence = 0;

  const collector = new BatchCollector<BatchEntry>({
    flushMs: options.flushMs ?? 2000,
    maxBatch,
    maxBytes: options.maxBatchBytes ?? 200 * 1024 * 1024,
    timers,
    onFlush: (entries) => {
      const run = new MessageBatchRun(entries, deps);
      for (const entry of entries) runOf.set(entry, run);
      totals.batches += 1;
      void run.run();
    },
  });

  function createMessage(params: MessageCreateParamsNonStreaming, { signal }: CreateMessageOptions = {}): Promise<BatchModelResponse> {
    let price;
    try {
      price = priceFor(params.model, prices);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(new ModelCallAbortedError(0));
    return new Promise<BatchModelResponse>((resolve, reject) => {
      const entry: BatchEntry = {
        customId: `r${++sequence}`,
        params,
        price,
        bytes: Buffer.byteLength(JSON.stringify(params)),
        settle: (outcome) => {
          detach();
          count(outcome);
          if (outcome.ok) resolve(outcome.response);
          else reject(outcome.error);
        },
      };
      const detach = () => {
        signal?.removeEventListener("abort", onAbort);
        runOf.delete(entry);
      };
      const onAbort = () => {
        // Not submitted yet: it leaves the batch. Submitted: the batch goes on for the others.
        const attempts = collector.remove(entry) ? 0 : runOf.get(entry)?.abandon(entry) ? 1 : null;
        if (attempts === null) return;
        detach();
        totals.aborted += 1;
        reject(new ModelCallAbortedError(attempts));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      totals.requests += 1;
      collector.add(entry);
    });
  }

  function count(outcome: BatchOutcome): void {
    if (!outcome.ok) totals.failed += 1;
    else {
      totals.succeeded += 1;
      totals.costUsd += outcome.response.costUsd;
      totals.listCostUsd += outcome.response.listCostUsd;
    }
  }

  return { createMessage, totals: () => ({ ...totals }), flush: () => collector.flush() };
}
