/**
 * Marks the shared prefix of a request for prompt caching, so a fan-out of N
 * same-shaped agents pays for that prefix once and reads it N-1 times.
 *
 * The API caches the prompt up to each `cache_control` breakpoint, in the order
 * tools -> system -> messages. Breakpoints go on the last tool definition, the
 * last system block and the last block of the shared task context; everything
 * after that (the per-agent part) is not cached.
 */
import { createHash } from "node:crypto";
import type {
  CacheControlEphemeral,
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
} from "@anthropic-ai/sdk/resources/messages";
import { CacheBreakpointLimitError } from "./errors.js";

/** The API accepts at most this many `cache_control` breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;

/** Last block (inclusive, 0-based) of the shared task context in `messages`. */
export interface SharedPrefixEnd {
  message: number;
  /** Index in the message's content array; a string content is block 0. */
  block: number;
}

export interface CacheControlOptions {
  /** Where the shared task context ends; omitted: only tools and system are marked. */
  sharedPrefixEnd?: SharedPrefixEnd;
  /** Cache TTL; default the API's 5 minutes (cheaper writes). */
  ttl?: "5m" | "1h";
  /**
   * The prefix key, when the caller knows it (an earlier request of the same
   * conversation had the same model, tools, system and shared context):
   * hashing the prefix again would give the same.
   */
  prefixKey?: string;
}

export interface CachedRequest {
  params: MessageCreateParamsNonStreaming;
  /**
   * Hash of model, tools, system and the shared context (without the markers):
   * requests with the same key share a cache entry. Pass it as `prefixKey` to
   * `ModelClient.createMessage` so siblings wait for the first one.
   */
  prefixKey: string;
}

type Markable = { cache_control?: CacheControlEphemeral | null };

/** Returns a copy of `params` with cache breakpoints on its shared prefix; `params` is not changed. */
export function withCacheControl(
  params: MessageCreateParamsNonStreaming,
  options: CacheControlOptions = {},
): CachedRequest {
  const marker: CacheControlEphemeral = options.ttl ? { type: "ephemeral", ttl: options.ttl } : { type: "ephemeral" };
  const out: MessageCreateParamsNonStreaming = { ...params };

  if (params.tools && params.tools.length > 0) {
    out.tools = params.tools.map((tool, i) => (i === params.tools!.length - 1 ? { ...tool, cache_control: marker } : tool));
  }
  if (typeof params.system === "string" && params.system !== "") {
    out.system = [{ type: "text", text: params.system, cache_control: marker }];
  } else if (Array.isArray(params.system) && params.system.length > 0) {
    const last = params.system.length - 1;
    out.system = params.system.map((block, i) => (i === last ? { ...block, cache_control: marker } : block));
  }
  const end = options.sharedPrefixEnd;
  if (end) out.messages = markMessageBlock(params.messages, end, marker);

  const breakpoints = countBreakpoints(out);
  if (breakpoints > MAX_CACHE_BREAKPOINTS) throw new CacheBreakpointLimitError(breakpoints, MAX_CACHE_BREAKPOINTS);
  return { params: out, prefixKey: options.prefixKey ?? sharedPrefixKey(params, end) };
}

/** Hash of what a cache entry for the shared prefix depends on (see `CachedRequest.prefixKey`). */
export function sharedPrefixKey(params: MessageCreateParamsNonStreaming, end?: SharedPrefixEnd): string {
  const messages = end
    ? params.messages.slice(0, end.message + 1).map((message, i) =>
        i < end.message ? message : { ...message, content: blocksOf(message).slice(0, end.block + 1) },
      )
    : [];
  const prefix = { model: params.model, tools: params.tools ?? [], system: params.system ?? "", messages };
  return createHash("sha256").update(stableJson(prefix)).digest("hex");
}

function markMessageBlock(messages: MessageParam[], end: SharedPrefixEnd, marker: CacheControlEphemeral): MessageParam[] {
  const target = messages[end.message];
  const blocks = target ? blocksOf(target) : [];
  if (target === undefined || end.block < 0 || end.block >= blocks.length) {
    throw new RangeError(
      `sharedPrefixEnd {message: ${end.message}, block: ${end.block}} is outside the request's messages`,
    );
  }
  // Thinking blocks take no marker; shared context is text or documents.
  const marked = blocks.map((block, i) => (i === end.block ? ({ ...block, cache_control: marker } as ContentBlockParam) : block));
  return messages.map((message, i) => (i === end.message ? ({ ...message, content: marked } as MessageParam) : message));
}

function blocksOf(message: MessageParam): ContentBlockParam[] {
  return typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
}

function countBreakpoints(params: MessageCreateParamsNonStreaming): number {
  const marked = (item: unknown) => ((item as Markable).cache_control ? 1 : 0);
  let count = marked(params);
  for (const tool of params.tools ?? []) count += marked(tool);
  if (Array.isArray(params.system)) for (const block of params.system) count += marked(block);
  for (const message of params.messages) {
    if (typeof message.content !== "string") for (const block of message.content) count += marked(block);
  }
  return count;
}

/** JSON with object keys sorted and `cache_control` left out, so equal prefixes hash equally. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([key, v]) => key !== "cache_control" && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
