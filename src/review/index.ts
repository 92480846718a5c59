/**
 * dynflow's script additions for changes and refutation: `repo`, `worker`,
 * `refute`, `accept`, `discard`, `converge` (a runtime extension), and the
 * ledger that says how each line of work ended.
 */
export { createReviewExtension, type ReviewExtensionOptions } from "./create-review-extension.js";
export { decideReview, type ReviewDecision } from "./decide-review.js";
export { ReviewLedger } from "./review-ledger.js";
export type { ReviewOutcomes } from "./build-outcomes.js";
export type * from "./types.js";
export { VERDICT_SCHEMA } from "./verdict-schema.js";
