/**
 * Checks run limits once, up front, with messages that name the limit, the
 * value and the allowed range.
 */
import { DynflowError } from "../errors.js";
import type { RunLimits } from "./types.js";

/** A run limit is out of its allowed range. */
export class InvalidLimitError extends DynflowError {
  constructor(
    readonly limit: keyof RunLimits,
    readonly value: unknown,
    readonly range: string,
  ) {
    super("invalid_limit", `${limit} must be ${range}; got ${JSON.stringify(value)}`);
  }
}

const wholeIn = (limit: keyof RunLimits, value: unknown, min: number, max: number): void => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidLimitError(limit, value, `a whole number from ${min} to ${max}`);
  }
};

const positiveOrNull = (limit: keyof RunLimits, value: unknown): void => {
  if (value !== null && (typeof value !== "number" || !(value > 0) || !Number.isFinite(value))) {
    throw new InvalidLimitError(limit, value, "a positive number, or null for no budget");
  }
};

/** Returns `limits` unchanged when every value is in range; throws `InvalidLimitError` otherwise. */
export function validateLimits(limits: RunLimits): RunLimits {
  wholeIn("maxConcurrency", limits.maxConcurrency, 1, 256);
  wholeIn("maxAgents", limits.maxAgents, 1, 1_000_000);
  wholeIn("maxItems", limits.maxItems, 1, 4096);
  wholeIn("maxSchemaAttempts", limits.maxSchemaAttempts, 1, 20);
  positiveOrNull("budgetTokens", limits.budgetTokens);
  positiveOrNull("budgetUsd", limits.budgetUsd);
  return limits;
}
