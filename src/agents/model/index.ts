/**
 * The model client: everything that talks to Anthropic's Messages API.
 */
export { createModelClient } from "./create-model-client.js";
export type { CreateMessageOptions, ModelClient, ModelClientOptions, ModelResponse } from "./create-model-client.js";
export { CacheBreakpointLimitError, ModelApiError, ModelCallAbortedError, UnknownModelPriceError } from "./errors.js";
export { ALIAS_NAME, DEFAULT_MODEL_ALIASES, INHERIT, isModelAlias, mergeAliases, resolveModelAlias } from "./model-aliases.js";
export { EFFORT_OUTPUT_FACTOR, EFFORTS, effortParams, isEffort, planEffort } from "./model-capabilities.js";
export type { Effort, EffortPlan } from "./model-capabilities.js";
export {
  costOf,
  DEFAULT_MODELS,
  DEFAULT_PRICES,
  DEFAULT_SERVER_TOOL_PRICES,
  NO_SERVER_TOOL_USE,
  priceFor,
  serverToolCostOf,
  serverToolUseFromApi,
  usageFromApi,
} from "./models.js";
export type { ApiUsage, ModelPrice, PriceTable, Role, ServerToolPrices, ServerToolUse } from "./models.js";
export { PrefixGate } from "./prefix-gate.js";
export type { GatePass, PassReason, PrefixGateOptions } from "./prefix-gate.js";
export { MAX_CACHE_BREAKPOINTS, sharedPrefixKey, withCacheControl } from "./with-cache-control.js";
export type { CachedRequest, CacheControlOptions, SharedPrefixEnd } from "./with-cache-control.js";
