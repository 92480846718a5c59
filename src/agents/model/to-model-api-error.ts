/**
 * Turns what the SDK threw into a `ModelApiError` whose message says what
 * happened and what to do. The one place where model API failures become
 * user-facing text.
 */
import { inspect } from "node:util";
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";
import { ModelApiError } from "./errors.js";
import { messageOf } from "../../errors.js";

export interface FailureContext {
  attempts: number;
  /** Per-attempt timeout, for the message. */
  timeoutMs: number;
  /** The API key, only to scrub it from anything that could echo it. */
  apiKey: string;
}

const KEEPS_WORK = "the run keeps finished work";

/** Maps an SDK error (after its retries) to a `ModelApiError`. */
export function toModelApiError(error: unknown, context: FailureContext): ModelApiError {
  const attempts = `after ${context.attempts} attempt${context.attempts === 1 ? "" : "s"}`;
  const cause = scrubbedCause(error, context.apiKey);

  if (error instanceof APIConnectionTimeoutError) {
    return new ModelApiError(
      `the model API did not answer within ${context.timeoutMs} ms ${attempts}; ${KEEPS_WORK} — resume it later, ` +
        `or raise the model timeout if requests are legitimately long`,
      { status: null, type: "timeout_error", requestId: null, attempts: context.attempts, retryable: true },
      { cause },
    );
  }
  if (error instanceof APIConnectionError) {
    return new ModelApiError(
      `could not reach the model API (connection failed) ${attempts}; check ANTHROPIC_BASE_URL and the network, ` +
        `then resume the run — ${KEEPS_WORK}`,
      { status: null, type: "connection_error", requestId: null, attempts: context.attempts, retryable: true },
      { cause },
    );
  }
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    const type = error.type ?? typeForStatus(status);
    const fields = { status, type, requestId: error.requestID ?? null, attempts: context.attempts };
    const detail = scrub(error.apiMessage ?? "", context.apiKey);
    return new ModelApiError(scrub(describe(status, type, detail, attempts), context.apiKey), {
      ...fields,
      retryable: status === 408 || status === 409 || status === 429 || status >= 500,
    }, { cause });
  }
  const text = scrub(messageOf(error), context.apiKey);
  return new ModelApiError(
    `the model call failed before reaching the API: ${text}`,
    { status: null, type: "client_error", requestId: null, attempts: context.attempts, retryable: false },
    { cause },
  );
}

function describe(status: number, type: string, detail: string, attempts: string): string {
  const said = detail ? `: ${detail}` : "";
  if (status === 529) return `the model API was overloaded (529) ${attempts}; ${KEEPS_WORK} — resume it later`;
  if (status === 429) {
    return `the model API rate-limited the request (429, ${type}) ${attempts}; ${KEEPS_WORK} — resume it later or lower the run's concurrency`;
  }
  if (status >= 500) return `the model API failed (${status}, ${type}) ${attempts}; ${KEEPS_WORK} — resume it later`;
  if (status === 401) return `the model API rejected the API key (401, ${type}); check ANTHROPIC_API_KEY`;
  if (status === 403) return `the API key may not use this model or feature (403, ${type})${said}`;
  if (status === 404) return `the model API does not know this model or endpoint (404, ${type})${said}; check the model ids in the config`;
  if (status === 413) return `the request is too large for the model API (413, ${type})${said}; shorten the prompt or context`;
  return `the model API rejected the request (${status}, ${type})${said}; retrying the same request will not help`;
}

function typeForStatus(status: number): string {
  if (status === 529) return "overloaded_error";
  if (status === 429) return "rate_limit_error";
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

/** Replaces every occurrence of the key; very short keys are not real keys and are left alone. */
export function scrub(text: string, apiKey: string): string {
  return apiKey.length >= 8 ? text.split(apiKey).join("[redacted]") : text;
}

/** Keeps the SDK error as the cause unless anything inside it echoes the key. */
function scrubbedCause(error: unknown, apiKey: string): unknown {
  if (apiKey.length < 8) return error;
  return inspect(error, { depth: 8 }).includes(apiKey) ? undefined : error;
}
