/**
 * One message batch from submission to results: create it, poll it until
 * processing has ended, read the results and settle each waiting request by
 * its `custom_id` (results come in any order).
 *
 * Requests whose caller stopped waiting leave the batch; when none is left the
 * batch is cancelled so the API stops processing work nobody will read.
 */
import { APIUserAbortError, type Anthropic, type Middleware } from "@anthropic-ai/sdk";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import type { MessageBatchIndividualResponse } from "@anthropic-ai/sdk/resources/messages/batches";
import type { Logger } from "pino";
import type { Clock, Timers } from "../../../time.js";
import type { ModelResponse } from "../create-model-client.js";
import { ModelApiError } from "../errors.js";
import { serverToolCostOf, serverToolUseFromApi, usageFromApi, type ModelPrice } from "../models.js";
import { toModelApiError } from "../to-model-api-error.js";
import { BATCH_DISCOUNT, batchCostOf } from "./batch-pricing.js";
import { missingResultError, toBatchError } from "./to-batch-error.js";
import { messageOf } from "../../../errors.js";

/** A model response that came through the Message Batches API. */
export interface BatchModelResponse extends ModelResponse {
  /** What the same usage costs through the Messages API; `costUsd` is the discounted price actually charged. */
  listCostUsd: number;
  /** Fraction of the standard price taken off (`BATCH_DISCOUNT`, 0.5). */
  discount: number;
  batchId: string;
  customId: string;
}

/** Polls in a row that may fail (each after the SDK's retries) before the batch's requests fail. */
const MAX_POLL_FAILURES = 5;

/** How a batched request ended. */
export type BatchOutcome = { ok: true; response: BatchModelResponse } | { ok: false; error: ModelApiError };

/** One request waiting in a batch. `settle` is called at most once (never after `abandon`). */
export interface BatchEntry {
  customId: string;
  params: MessageCreateParamsNonStreaming;
  price: ModelPrice;
  /** Size of `params` as JSON, for the collector. */
  bytes: number;
  settle(outcome: BatchOutcome): void;
}

export interface MessageBatchDeps {
  sdk: Anthropic;
  pollMs: number;
  timers: Timers;
  clock: Clock;
  log: Logger;
  apiKey: string;
  /** Per-attempt timeout of the SDK, for error messages. */
  timeoutMs: number;
}

/** See the module comment. Start it with `run()`; callers that stop waiting call `abandon()`. */
export class MessageBatchRun {
  private batchId: string | null = null;
  private readonly live = new Map<string, BatchEntry>();
  /** Aborted when nobody waits any more: stops polling and any request in flight. */
  private readonly stop = new AbortController();
  private cancelled = false;
  private attempts = 0;

  constructor(
    entries: BatchEntry[],
    private readonly deps: MessageBatchDeps,
  ) {
    for (const entry of entries) this.live.set(entry.customId, entry);
  }

  /** Submits, polls and settles every entry; never rejects. */
  async run(): Promise<void> {
    const { log, clock } = this.deps;
    const startedAt = clock.now();
    try {
      const requests = [...this.live.values()].map((entry) => ({ custom_id: entry.customId, params: entry.params }));
      const count: Middleware = (request, next) => {
        this.attempts += 1;
        return next(request);
      };
      // Not tied to `stop`: a create cut off mid-flight may still have made a batch nobody could cancel.
      const batch = await this.deps.sdk.messages.batches.create({ requests }, { middleware: [count] });
      this.batchId = batch.id;
      log.info({ batchId: batch.id, requests: requests.length }, "message batch submitted");
      if (this.live.size === 0) return void (await this.cancel());
      if (!(await this.waitUntilEnded(batch.id))) return;
      await this.collect(batch.id);
      log.info({ batchId: batch.id, waitedMs: clock.now() - startedAt }, "message batch results read");
    } catch (error) {
      if (this.stop.signal.aborted || error instanceof APIUserAbortError) return;
      const failure = error instanceof ModelApiError ? error : toModelApiError(error, this.failureContext());
      log.warn({ batchId: this.batchId, status: failure.status, type: failure.type, waiting: this.live.size }, "message batch failed");
      for (const entry of this.take()) entry.settle({ ok: false, error: failure });
    }
  }

  /** The caller of `entry` stopped waiting. False when the entry was already settled. */
  abandon(entry: BatchEntry): boolean {
    if (!this.live.delete(entry.customId)) return false;
    if (this.live.size === 0) void this.cancel();
    return true;
  }

  /**
   * Polls every `pollMs` until processing has ended; false when nobody waits
   * any more. A batch can run for hours, so a poll that fails for a reason
   * that passes (after the SDK's own retries) is tried again at the next
   * interval rather than failing every request of the batch.
   */
  private async waitUntilEnded(batchId: string): Promise<boolean> {
    let failures = 0;
    for (;;) {
      if (!(await this.sleep(this.deps.pollMs))) return false;
      let batch;
      try {
        batch = await this.deps.sdk.messages.batches.retrieve(batchId, {}, { signal: this.stop.signal });
      } catch (error) {
        if (this.stop.signal.aborted || error instanceof APIUserAbortError) throw error;
        const failure = toModelApiError(error, this.failureContext());
        failures += 1;
        if (!failure.retryable || failures >= MAX_POLL_FAILURES) throw failure;
        this.deps.log.warn({ batchId, status: failure.status, type: failure.type, failures }, "message batch poll failed; polling again");
        continue;
      }
      failures = 0;
      this.deps.log.debug({ batchId, status: batch.processing_status, counts: batch.request_counts }, "message batch polled");
      if (batch.processing_status === "ended") return true;
    }
  }

  private async collect(batchId: string): Promise<void> {
    const results = await this.deps.sdk.messages.batches.results(batchId, {}, { signal: this.stop.signal });
    for await (const line of results) {
      const entry = this.live.get(line.custom_id);
      if (!entry) continue;
      this.live.delete(line.custom_id);
      entry.settle(this.outcomeOf(batchId, entry, line));
    }
    for (const entry of this.take()) entry.settle({ ok: false, error: missingResultError(this.context(batchId, entry)) });
  }

  private outcomeOf(batchId: string, entry: BatchEntry, line: MessageBatchIndividualResponse): BatchOutcome {
    const { result } = line;
    if (result.type !== "succeeded") return { ok: false, error: toBatchError(result, this.context(batchId, entry)) };
    const usage = usageFromApi(result.message.usage);
    const serverToolUse = serverToolUseFromApi(result.message.usage);
    // Server-tool uses are counted at their full price: the batch discount is documented for tokens.
    const toolCostUsd = serverToolCostOf(serverToolUse);
    const { costUsd, listCostUsd } = batchCostOf(usage, entry.price);
    const response: BatchModelResponse = {
      message: result.message,
      usage,
      serverToolUse,
      costUsd: costUsd + toolCostUsd,
      listCostUsd: listCostUsd + toolCostUsd,
      discount: BATCH_DISCOUNT,
      requestId: null,
      attempts: 1,
      batchId,
      customId: entry.customId,
    };
    return { ok: true, response };
  }

  /** Cancels the batch once nobody waits for it (best effort: its cost is then only what was processed). */
  private async cancel(): Promise<void> {
    this.stop.abort();
    if (this.batchId === null || this.cancelled) return;
    this.cancelled = true;
    try {
      await this.deps.sdk.messages.batches.cancel(this.batchId);
      this.deps.log.info({ batchId: this.batchId }, "message batch cancelled: no request of it is awaited any more");
    } catch (error) {
      this.deps.log.warn({ batchId: this.batchId, error: messageOf(error) }, "message batch could not be cancelled");
    }
  }

  private sleep(ms: number): Promise<boolean> {
    const signal = this.stop.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = this.deps.timers.setTimeout(() => {
        signal.removeEventListener("abort", wake);
        resolve(true);
      }, ms);
      const wake = () => {
        this.deps.timers.clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener("abort", wake, { once: true });
    });
  }

  private take(): BatchEntry[] {
    const entries = [...this.live.values()];
    this.live.clear();
    return entries;
  }

  private context(batchId: string, entry: BatchEntry) {
    return { batchId, customId: entry.customId, apiKey: this.deps.apiKey };
  }

  private failureContext() {
    return { attempts: Math.max(1, this.attempts), timeoutMs: this.deps.timeoutMs, apiKey: this.deps.apiKey };
  }
}
