/**
 * What a run whose model calls went through the Message Batches API paid,
 * next to what the same usage costs at standard prices, so its report can
 * show the saving. Pure.
 */
import { BATCH_DISCOUNT, type BatchModelClient, type BatchTotals } from "../../agents/model/batch/index.js";
import type { ModelClient } from "../../agents/model/index.js";
import type { RunOutcome } from "../../runtime/types.js";

/** A batch run's spend in dollars. */
export interface BatchSpend {
  /** What the run paid (batch prices), replayed agents included. */
  costUsd: number;
  /** What the same usage costs through the Messages API. */
  listCostUsd: number;
  /** `listCostUsd - costUsd`. */
  savedUsd: number;
}

/** The totals of a batch model client; null for any other client. */
export function batchTotalsOf(model: ModelClient): BatchTotals | null {
  const totals = (model as Partial<BatchModelClient>).totals;
  return typeof totals === "function" ? totals.call(model) : null;
}

/**
 * The run's spend at both prices. This execution's calls are priced by the
 * client (`totals`); agents replayed from the journal were paid for by an
 * earlier execution of the same run, which batched them too (the setting is
 * kept on the run), so their standard price is their cost before the discount.
 */
export function batchSpendOf(outcome: Pick<RunOutcome, "costUsd" | "freshCostUsd">, fresh: Pick<BatchTotals, "costUsd" | "listCostUsd">): BatchSpend {
  const replayed = Math.max(0, outcome.costUsd - outcome.freshCostUsd);
  const savedUsd = Math.max(0, fresh.listCostUsd - fresh.costUsd) + (replayed / (1 - BATCH_DISCOUNT) - replayed);
  return { costUsd: outcome.costUsd, listCostUsd: outcome.costUsd + savedUsd, savedUsd };
}
