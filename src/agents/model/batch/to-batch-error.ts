/**
 * Turns a batched request that did not succeed (errored, expired, canceled,
 * or missing from the results) into a `ModelApiError` whose message says what
 * happened and what to do, as the Messages API client does for its failures.
 */
import type { MessageBatchResult } from "@anthropic-ai/sdk/resources/messages/batches";
import { ModelApiError } from "../errors.js";
import { scrub } from "../to-model-api-error.js";

/** Where the failed request was. */
export interface BatchFailureContext {
  batchId: string;
  customId: string;
  /** Only to scrub it from anything the API echoes. */
  apiKey: string;
}

/** `type` of a `ModelApiError` for a batched request the API never processed. */
export type BatchFailureType = "batch_expired" | "batch_canceled" | "batch_missing_result";

const KEEPS_WORK = "the run keeps finished work";

const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Maps a non-succeeded result line of a batch to a `ModelApiError`. */
export function toBatchError(result: Exclude<MessageBatchResult, { type: "succeeded" }>, context: BatchFailureContext): ModelApiError {
  const where = `request ${context.customId} of message batch ${context.batchId}`;
  if (result.type === "expired") {
    return notProcessed(
      "batch_expired",
      `the Message Batches API expired ${where} before processing it (a batch ends 24 hours after it is created); ` +
        `${KEEPS_WORK} — resume it later, or run without batch pricing`,
    );
  }
  if (result.type === "canceled") {
    return notProcessed(
      "batch_canceled",
      `${where} was canceled before it was processed (the batch was canceled); ${KEEPS_WORK} — resume it to send the request again`,
    );
  }
  const type = result.error?.error?.type ?? "api_error";
  const detail = scrub(result.error?.error?.message ?? "", context.apiKey);
  const status = STATUS_BY_TYPE[type] ?? 500;
  const retryable = status === 429 || status >= 500;
  const said = detail ? `: ${detail}` : "";
  const advice = retryable ? `${KEEPS_WORK} — resume it later` : "sending the same request again will not help";
  return new ModelApiError(`the model API failed ${where} (${status}, ${type})${said}; ${advice}`, {
    status,
    type,
    requestId: result.error?.request_id ?? null,
    attempts: 1,
    retryable,
  });
}

/** The batch ended without a result line for a request. */
export function missingResultError(context: BatchFailureContext): ModelApiError {
  return notProcessed(
    "batch_missing_result",
    `message batch ${context.batchId} ended without a result for request ${context.customId}; ${KEEPS_WORK} — resume it to send the request again`,
  );
}

function notProcessed(type: BatchFailureType, message: string): ModelApiError {
  return new ModelApiError(message, { status: null, type, requestId: null, attempts: 1, retryable: true });
}
