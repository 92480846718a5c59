/**
 * Errors of the model client. Messages say what happened and what to do, and
 * never contain the API key.
 */
import { DynflowError } from "../../errors.js";

/** A model has no entry in the price table, so its spend cannot be counted. */
export class UnknownModelPriceError extends DynflowError {
  readonly model: string;
  readonly knownModels: string[];

  constructor(model: string, knownModels: string[]) {
    super(
      "unknown_model_price",
      `no price for model "${model}": add it to the price table override in the app configuration as ` +
        `"${model}": { "input": ..., "output": ..., "cacheWrite": ..., "cacheRead": ... } in US dollars per ` +
        `million tokens, or use a priced model (${knownModels.join(", ")})`,
    );
    this.model = model;
    this.knownModels = knownModels;
  }
}

/**
 * The Messages API failed for good: after the last retry, or at once for an
 * error retrying cannot fix. `status` is null when no HTTP response came back
 * (connection error, timeout).
 */
export class ModelApiError extends DynflowError {
  readonly status: number | null;
  /** API error type (`overloaded_error`, `rate_limit_error`, ...), or `connection_error` / `timeout_error`. */
  readonly type: string;
  readonly requestId: string | null;
  /** HTTP attempts made, retries included. */
  readonly attempts: number;
  /** True when the same request may succeed later (overload, rate limit, outage). */
  readonly retryable: boolean;

  constructor(
    message: string,
    fields: { status: number | null; type: string; requestId: string | null; attempts: number; retryable: boolean },
    options?: { cause?: unknown },
  ) {
    super("model_api_error", message, options);
    this.status = fields.status;
    this.type = fields.type;
    this.requestId = fields.requestId;
    this.attempts = fields.attempts;
    this.retryable = fields.retryable;
  }
}

/** The caller's signal aborted the model call (run cancelled or past its deadline). */
export class ModelCallAbortedError extends DynflowError {
  /** HTTP attempts made before the abort (0 when it was still held or queued). */
  readonly attempts: number;

  constructor(attempts: number) {
    super("model_call_aborted", `the model call was cancelled after ${attempts} attempt(s); nothing more is sent`);
    this.attempts = attempts;
  }
}

/** Adding cache breakpoints would exceed the API's limit per request. */
export class CacheBreakpointLimitError extends DynflowError {
  readonly breakpoints: number;
  readonly limit: number;

  constructor(breakpoints: number, limit: number) {
    super(
      "cache_breakpoint_limit",
      `the request would carry ${breakpoints} cache_control breakpoints but the API accepts at most ${limit}; ` +
        `remove cache_control from the message blocks before adding the shared-prefix breakpoints`,
    );
    this.breakpoints = breakpoints;
    this.limit = limit;
  }
}
