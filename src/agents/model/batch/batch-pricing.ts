/**
 * What a request costs when it goes through the Message Batches API.
 *
 * Anthropic's "Batch processing" page: "All usage is charged at 50% of
 * standard API prices". That covers every token kind dynflow bills — input,
 * output, cache writes and cache reads — and the long-prompt rates of models
 * that have them, so the discount applies to the request's whole standard
 * price rather than to input and output only.
 */
import type { TokenUsage } from "../../../runtime/types.js";
import { costOf, type ModelPrice } from "../models.js";

/** Fraction of the standard price the Message Batches API takes off. */
export const BATCH_DISCOUNT = 0.5;

/** A request's price in a batch, and at the standard rates it would have had outside one. */
export interface BatchCost {
  /** What the request costs in the batch (the discounted price). */
  costUsd: number;
  /** What the same usage costs through the Messages API. */
  listCostUsd: number;
}

/** Prices one batched request's usage; see the module comment for why every token kind is halved. */
export function batchCostOf(usage: TokenUsage, price: ModelPrice): BatchCost {
  const listCostUsd = costOf(usage, price);
  return { costUsd: listCostUsd * (1 - BATCH_DISCOUNT), listCostUsd };
}
