/**
 * The batch model client: the same `ModelClient`, sent through Anthropic's
 * Message Batches API at half price, for runs nobody waits on.
 */
export { createBatchModelClient } from "./create-batch-model-client.js";
export type { BatchModelClient, BatchModelClientOptions, BatchTotals } from "./create-batch-model-client.js";
export { BATCH_DISCOUNT, batchCostOf } from "./batch-pricing.js";
export type { BatchCost } from "./batch-pricing.js";
export type { BatchModelResponse } from "./run-message-batch.js";
export type { BatchFailureType } from "./to-batch-error.js";
