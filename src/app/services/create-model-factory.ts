/**
 * The model clients of runs, from the deployment's API key: the Messages API
 * client, or for a run that asks for `batch` (an audit with `batch: true`)
 * the Message Batches client, which bills half the price for every token kind
 * and answers within hours instead of seconds. Both implement `ModelClient`,
 * so agents, the journal and resume above them are the same.
 */
import type { Logger } from "pino";
import { createBatchModelClient } from "../../agents/model/batch/index.js";
import { createModelClient } from "../../agents/model/index.js";
import type { Clock } from "../../time.js";
import type { RunServices } from "./types.js";

export interface ModelFactoryOptions {
  apiKey: string;
  /** `ANTHROPIC_BASE_URL`; the SDK's default when omitted. */
  baseURL?: string | undefined;
  clock: Clock;
  log: Logger;
}

/** `RunServices.createModel` for a deployment with an API key. */
export function createModelFactory(options: ModelFactoryOptions): NonNullable<RunServices["createModel"]> {
  const { apiKey, clock, log } = options;
  const endpoint = options.baseURL ? { baseURL: options.baseURL } : {};
  return ({ prices, batch }) =>
    batch ? createBatchModelClient({ apiKey, ...endpoint, prices, clock, log }) : createModelClient({ apiKey, ...endpoint, prices, clock, log });
}
