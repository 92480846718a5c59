/**
 * A fake Anthropic Messages API for tests and benchmarks: a real `node:http`
 * server on 127.0.0.1 that the real SDK talks to.
 *
 * What it does:
 * - `POST /v1/messages` (non-streaming) answers with realistic Message JSON
 *   (`id`, `type`, `role`, `model`, `content` with text / `tool_use` blocks,
 *   `stop_reason`, `usage`), or an API error body, as scripted by the test.
 * - Scripting: `server.handle((request, ctx) => reply)` and/or
 *   `server.queue(reply, ...)`. For each request the handler is asked first
 *   (return `undefined` to fall through), then the queue, then `defaultReply`
 *   (a short text). Replies are built with `reply.text()`, `reply.toolUse()`,
 *   `reply.error()` (status, error type, `retry-after`), `reply.reset()`
 *   (connection reset) and `reply.hang()` (never answers); every reply takes a
 *   `delayMs` (arrival -> response headers) and `bodyDelayMs`.
 * - Prompt caching is emulated: `cache_control` breakpoints are found in the
 *   order tools -> system -> messages (plus a top-level `cache_control`, which
 *   marks the last block); the prompt prefix up to each breakpoint is hashed
 *   (with the model). A cached, unexpired prefix is reported as
 *   `cache_read_input_tokens`; the rest up to the last breakpoint as
 *   `cache_creation_input_tokens`, and the rest as `input_tokens`. Prefixes
 *   shorter than `minCacheTokens` (default 1024) are not cached. A write takes
 *   effect only when the writing request's response begins (headers sent), so
 *   a request that arrives earlier misses, as with the real API. Tokens are
 *   estimated as ceil(chars / 4) per block. TTL 5 minutes (or `ttl: "1h"`),
 *   refreshed on read, measured with the injected `clock`.
 * - Response headers are sent when "the prefix has been processed": after
 *   `delayMs` (default `prefixDelayMs`, 20 ms), then the body after
 *   `bodyDelayMs`. So "the response has begun" is observable by clients.
 * - Every request is recorded (`requests`: body, headers, usage, status), and
 *   current / maximum concurrent in-flight requests are tracked.
 * - Server-side web tools: a text or tool-use reply may carry `serverTools`
 *   (searches and fetches the model made first); see fake-server-tools.ts for
 *   how declarations, `max_uses` and domain lists are honoured.
 * - The Message Batches API (`POST /v1/messages/batches`, `GET
 *   /v1/messages/batches/:id`, its `results` and `cancel`; see
 *   fake-anthropic-batches.ts): each batched request is recorded as a
 *   `POST /v1/messages` request marked with `batch` and answered by the same
 *   handler / queue, processed after `batchDelayMs`. Replies `reply.expired()`
 *   and `reply.canceled()` exist for batched requests only.
 *
 * `const api = await startFakeAnthropic(); ...; await api.close();`
 */
import { createHash } from "node:crypto";
import { setMaxListeners } from "node:events";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { systemClock, type Clock } from "../../src/runtime/types.js";
import { createBatchEndpoints, type BatchItemOutcome, type FakeBatch } from "./fake-anthropic-batches.js";
import { serveServerTools, UndeclaredToolError, type FakeServerToolUse } from "./fake-server-tools.js";

export type { FakeBatch } from "./fake-anthropic-batches.js";
export type { FakeServerToolUse } from "./fake-server-tools.js";

type Json = unknown;
type ReplyTiming = { delayMs?: number; bodyDelayMs?: number; headers?: Record<string, string> };
/** Web searches and fetches the model made before the rest of its reply. */
type ServerTools = { serverTools?: FakeServerToolUse[] };

/** One scripted answer. Build with the `reply` helpers. */
export type FakeReply =
  | ({ kind: "text"; text: string; stopReason?: string; outputTokens?: number } & ReplyTiming & ServerTools)
  | ({ kind: "tool_use"; name: string; input: Json; id?: string; text?: string; outputTokens?: number } & ReplyTiming & ServerTools)
  | ({ kind: "error"; status: number; errorType?: string; message?: string; retryAfter?: number } & ReplyTiming)
  | ({ kind: "reset" } & ReplyTiming)
  | { kind: "hang" }
  /** Batched requests only: the request expired / was cancelled before it was processed. */
  | ({ kind: "expired" } & ReplyTiming)
  | ({ kind: "canceled" } & ReplyTiming);

/** Builders for `FakeReply`. `retryAfter` is in seconds (fractions allowed). */
export const reply = {
  text: (text: string, extra: Omit<Extract<FakeReply, { kind: "text" }>, "kind" | "text"> = {}): FakeReply => ({
    kind: "text",
    text,
    ...extra,
  }),
  toolUse: (name: string, input: Json, extra: Omit<Extract<FakeReply, { kind: "tool_use" }>, "kind" | "name" | "input"> = {}): FakeReply => ({
    kind: "tool_use",
    name,
    input,
    ...extra,
  }),
  error: (status: number, extra: Omit<Extract<FakeReply, { kind: "error" }>, "kind" | "status"> = {}): FakeReply => ({
    kind: "error",
    status,
    ...extra,
  }),
  reset: (delayMs = 0): FakeReply => ({ kind: "reset", delayMs }),
  hang: (): FakeReply => ({ kind: "hang" }),
  expired: (delayMs?: number): FakeReply => ({ kind: "expired", delayMs }),
  canceled: (delayMs?: number): FakeReply => ({ kind: "canceled", delayMs }),
};

/** Token counts the fake reports, as the API names them. */
export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** Billed uses of server tools; null when the reply used none. */
  server_tool_use: { web_search_requests: number; web_fetch_requests: number } | null;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined if it was not JSON). */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary request fields
  receivedAt: number;
  /** Cache accounting decided at arrival (set for valid message requests). */
  usage?: FakeUsage;
  /** HTTP status answered, or null for reset / hang / client gone. */
  status: number | null;
  /** Set for a request that came in a message batch (its status is the status it would have had). */
  batch?: { id: string; customId: string };
}

export interface FakeContext {
  /** 0-based index of this request among all requests. */
  index: number;
  /** The SDK's `x-stainless-retry-count` (0 on a first attempt). */
  retryCount: number;
  /** In-flight requests including this one. */
  inFlight: number;
}

export type FakeHandler = (request: RecordedRequest, ctx: FakeContext) => FakeReply | undefined | Promise<FakeReply | undefined>;

export interface FakeAnthropicOptions {
  /** Default time from arrival to response headers (processing the prefix). Default 20 ms. */
  prefixDelayMs?: number;
  /** Default time from headers to body. Default 0. */
  bodyDelayMs?: number;
  /** Shortest cacheable prefix, in estimated tokens. Default 1024. */
  minCacheTokens?: number;
  /** Clock for cache TTLs. */
  clock?: Clock;
  handler?: FakeHandler;
  /** Used when neither handler nor queue answers. Default `reply.text("ok")`. */
  defaultReply?: FakeReply;
  /** Time from creating a message batch to its end (unless a reply's `delayMs` is longer). Default 30 ms. */
  batchDelayMs?: number;
}

export interface FakeAnthropic {
  /** Base URL for the SDK, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Message batches created, in order. */
  readonly batches: readonly FakeBatch[];
  /** Appends replies used in order, one per request. */
  queue(...replies: FakeReply[]): void;
  /** Sets the handler asked first for every request. */
  handle(handler: FakeHandler | undefined): void;
  /** Forgets every cache entry. */
  resetCache(): void;
  close(): Promise<void>;
}

interface Breakpoint {
  hash: string;
  tokens: number;
  ttlMs: number;
}

const FIVE_MINUTES = 5 * 60_000;

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const clock = options.clock ?? systemClock;
  const minCacheTokens = options.minCacheTokens ?? 1024;
  const cache = new Map<string, number>(); // prefix hash -> expiresAt
  const requests: RecordedRequest[] = [];
  const queued: FakeReply[] = [];
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal); // one listener per request waiting on a delay
  let handler = options.handler;
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on("close", () => (inFlight -= 1));
    serve(req, res).catch(() => res.destroy());
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const record: RecordedRequest = {
      index: requests.length,
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body: parseJson(raw),
      receivedAt: clock.now(),
      status: null,
    };
    requests.push(record);
    const requestId = `req_fake_${record.index}`;
    const fail = (status: number, type: string, message: string) => {
      record.status = status;
      sendJson(res, status, { type: "error", error: { type, message }, request_id: requestId }, { "request-id": requestId });
    };
    const path = record.path.split("?")[0] ?? "";
    const batchRoute = batchEndpoints.route(record.method, path);
    if (!batchRoute && (record.method !== "POST" || path !== "/v1/messages")) return fail(404, "not_found_error", "Not found");
    if (!req.headers["x-api-key"] && !req.headers.authorization?.startsWith("Bearer ")) {
      return fail(401, "authentication_error", "an x-api-key or Authorization: Bearer header is required");
    }
    if (batchRoute) {
      record.status = batchEndpoints.serve(batchRoute, record.body, res, fail);
      return;
    }
    const body = record.body as MessageBody | undefined;
    if (!isMessageBody(body)) return fail(400, "invalid_request_error", "model, max_tokens and messages are required");

    // Cache lookup happens on arrival: writes still in progress are invisible.
    const cached = lookUpCache(body);
    const ctx: FakeContext = { index: record.index, retryCount: Number(req.headers["x-stainless-retry-count"] ?? 0), inFlight };
    const answer = await answerFor(record, ctx);
    if (answer.kind === "hang") return;
    if (!(await wait(answer.delayMs ?? options.prefixDelayMs ?? 20, res, shutdown.signal))) return;
    if (answer.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (answer.kind === "expired" || answer.kind === "canceled") {
      return fail(400, "invalid_request_error", `reply.${answer.kind}() only applies to requests in a message batch`);
    }
    if (answer.kind === "error") {
      const headers: Record<string, string> = { "request-id": requestId, ...answer.headers };
      if (answer.retryAfter !== undefined) headers["retry-after"] = String(answer.retryAfter);
      record.status = answer.status;
      return sendJson(res, answer.status, errorBody(answer, requestId), headers);
    }

    let served;
    try {
      served = usageOf(answer, record.index, cached, body);
    } catch (error) {
      if (error instanceof UndeclaredToolError) return fail(400, "invalid_request_error", error.message);
      throw error;
    }
    const { content, usage } = served;
    record.usage = usage;
    record.status = 200;
    res.writeHead(200, { "content-type": "application/json", "request-id": requestId, ...answer.headers });
    res.flushHeaders();
    // The response has begun: from now on the prefix is readable by others.
    writeCache(cached.prompt.breakpoints);
    if (!(await wait(answer.bodyDelayMs ?? options.bodyDelayMs ?? 0, res, shutdown.signal))) return;
    res.end(JSON.stringify(messageJson(record.index, body.model, answer, content, usage, cached)));
  }

  function answerFor(record: RecordedRequest, ctx: FakeContext): Promise<FakeReply> {
    return Promise.resolve(handler?.(record, ctx)).then((answer) => answer ?? queued.shift() ?? options.defaultReply ?? reply.text("ok"));
  }

  function lookUpCache(body: MessageBody): CacheLookup {
    const prompt = analysePrompt(body, minCacheTokens);
    const now = clock.now();
    const hit = [...prompt.breakpoints].reverse().find((bp) => (cache.get(bp.hash) ?? 0) > now);
    if (hit) cache.set(hit.hash, now + hit.ttlMs);
    const cacheRead = hit?.tokens ?? 0;
    const lastWrite = prompt.breakpoints.at(-1);
    const cacheWrite = lastWrite && lastWrite.tokens > cacheRead ? lastWrite.tokens - cacheRead : 0;
    return { prompt, cacheRead, cacheWrite, ttl1h: lastWrite?.ttlMs === 3_600_000 };
  }

  function writeCache(breakpoints: Breakpoint[]): void {
    const began = clock.now();
    for (const bp of breakpoints) cache.set(bp.hash, began + bp.ttlMs);
  }

  /** One request of a message batch: recorded like a `/v1/messages` request, answered as a batch result line. */
  async function processBatchItem(batchId: string, customId: string, params: Json): Promise<BatchItemOutcome> {
    const record: RecordedRequest = {
      index: requests.length,
      method: "POST",
      path: "/v1/messages",
      headers: {},
      body: params,
      receivedAt: clock.now(),
      status: null,
      batch: { id: batchId, customId },
    };
    requests.push(record);
    const errored = (status: number, body: Json, delayMs = 0): BatchItemOutcome => {
      record.status = status;
      return { result: { type: "errored", error: body }, delayMs };
    };
    const body = params as MessageBody | undefined;
    if (!isMessageBody(body)) {
      return errored(400, { type: "error", error: { type: "invalid_request_error", message: "model, max_tokens and messages are required" }, request_id: null });
    }
    const cached = lookUpCache(body);
    const answer = await answerFor(record, { index: record.index, retryCount: 0, inFlight });
    if (answer.kind === "hang") return { hang: true };
    const delayMs = answer.delayMs ?? 0;
    if (answer.kind === "expired" || answer.kind === "canceled") return { result: { type: answer.kind }, delayMs };
    if (answer.kind === "reset") return errored(500, errorBody({ kind: "error", status: 500, message: "the request failed while processing" }, null), delayMs);
    if (answer.kind === "error") return errored(answer.status, errorBody(answer, null), delayMs);
    let served;
    try {
      served = usageOf(answer, record.index, cached, body);
    } catch (error) {
      if (!(error instanceof UndeclaredToolError)) throw error;
      return errored(400, { type: "error", error: { type: "invalid_request_error", message: error.message }, request_id: null }, delayMs);
    }
    const { content, usage } = served;
    record.usage = usage;
    record.status = 200;
    writeCache(cached.prompt.breakpoints);
    return { result: { type: "succeeded", message: messageJson(record.index, body.model, answer, content, usage, cached) }, delayMs };
  }

  let url = "";
  const batchEndpoints = createBatchEndpoints({
    clock,
    batchDelayMs: options.batchDelayMs ?? 30,
    url: () => url,
    processItem: processBatchItem,
    sleep: (ms) => sleep(ms, shutdown.signal),
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  url = `http://127.0.0.1:${port}`;

  return {
    url,
    requests,
    batches: batchEndpoints.batches,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    queue: (...replies) => void queued.push(...replies),
    handle: (next) => void (handler = next),
    resetCache: () => cache.clear(),
    close: async () => {
      shutdown.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface MessageBody {
  model: string;
  max_tokens: number;
  messages: { content: Json }[];
}

interface CacheLookup {
  prompt: { total: number; breakpoints: Breakpoint[] };
  cacheRead: number;
  cacheWrite: number;
  ttl1h: boolean;
}

function isMessageBody(body: MessageBody | undefined): body is MessageBody {
  return !!body && typeof body.model === "string" && typeof body.max_tokens === "number" && Array.isArray(body.messages);
}

function errorBody(answer: Extract<FakeReply, { kind: "error" }>, requestId: string | null): Json {
  const type = answer.errorType ?? errorTypeFor(answer.status);
  return { type: "error", error: { type, message: answer.message ?? type }, request_id: requestId };
}

function usageOf(answer: Extract<FakeReply, { kind: "text" | "tool_use" }>, index: number, cached: CacheLookup, body: MessageBody): { content: Json[]; usage: FakeUsage } {
  const server = answer.serverTools && answer.serverTools.length > 0 ? serveServerTools(answer.serverTools, (body as { tools?: unknown }).tools, index) : null;
  const content = [...(server?.blocks ?? []), ...contentOf(answer, index)];
  const output = answer.outputTokens ?? Math.max(1, Math.ceil(JSON.stringify(content).length / 4));
  const usage: FakeUsage = {
    input_tokens: cached.prompt.total - cached.cacheRead - cached.cacheWrite,
    output_tokens: output,
    cache_creation_input_tokens: cached.cacheWrite,
    cache_read_input_tokens: cached.cacheRead,
    server_tool_use: server ? server.usage : null,
  };
  return { content, usage };
}

function messageJson(
  index: number,
  model: string,
  answer: Extract<FakeReply, { kind: "text" | "tool_use" }>,
  content: Json[],
  usage: FakeUsage,
  cached: CacheLookup,
): Json {
  return {
    id: `msg_fake_${index}`,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: answer.kind === "tool_use" ? "tool_use" : (answer.stopReason ?? "end_turn"),
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      ...usage,
      cache_creation: {
        ephemeral_5m_input_tokens: cached.ttl1h ? 0 : cached.cacheWrite,
        ephemeral_1h_input_tokens: cached.ttl1h ? cached.cacheWrite : 0,
      },
      inference_geo: null,
      output_tokens_details: null,
      service_tier: "standard",
      speed: null,
    },
  };
}

/** Splits the prompt into blocks in cache order and hashes the prefix at each breakpoint. */
function analysePrompt(body: Json, minCacheTokens: number): { total: number; breakpoints: Breakpoint[] } {
  const request = body as { model: string; tools?: Json[]; system?: Json; messages: { content: Json }[]; cache_control?: Json };
  const blocks: Json[] = [...(request.tools ?? [])];
  if (typeof request.system === "string") blocks.push({ type: "text", text: request.system });
  else if (Array.isArray(request.system)) blocks.push(...request.system);
  for (const message of request.messages) {
    if (typeof message.content === "string") blocks.push({ type: "text", text: message.content });
    else if (Array.isArray(message.content)) blocks.push(...message.content);
  }
  const hash = createHash("sha256").update(request.model);
  const breakpoints: Breakpoint[] = [];
  let total = 0;
  blocks.forEach((block, i) => {
    const { cache_control: marker, ...rest } = block as { cache_control?: { ttl?: string }; text?: unknown };
    const text = typeof rest.text === "string" ? rest.text : stableJson(rest);
    total += Math.ceil(text.length / 4);
    hash.update(stableJson(rest));
    const auto = i === blocks.length - 1 ? (request.cache_control as { ttl?: string } | undefined) : undefined;
    const mark = marker ?? auto;
    if (mark && total >= minCacheTokens) {
      breakpoints.push({ hash: hash.copy().digest("hex"), tokens: total, ttlMs: mark.ttl === "1h" ? 3_600_000 : FIVE_MINUTES });
    }
  });
  return { total, breakpoints };
}

function contentOf(answer: Extract<FakeReply, { kind: "text" | "tool_use" }>, index: number): Json[] {
  if (answer.kind === "text") return [{ type: "text", text: answer.text, citations: null }];
  const call = { type: "tool_use", id: answer.id ?? `toolu_fake_${index}`, name: answer.name, input: answer.input, caller: { type: "direct" } };
  return answer.text ? [{ type: "text", text: answer.text, citations: null }, call] : [call];
}

function errorTypeFor(status: number): string {
  const types: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
  };
  return types[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

/** Resolves true after `ms`, false if the client went away or the server is closing. */
function wait(ms: number, res: ServerResponse, shutdown: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!res.destroyed && !shutdown.aborted);
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      res.off("close", gone);
      shutdown.removeEventListener("abort", gone);
      resolve(ok);
    };
    const gone = () => finish(false);
    const timer = setTimeout(() => finish(!res.destroyed), ms);
    res.on("close", gone);
    shutdown.addEventListener("abort", gone, { once: true });
  });
}

/** Resolves true after `ms`, false if the server closes first. */
function sleep(ms: number, shutdown: AbortSignal): Promise<boolean> {
  if (shutdown.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      shutdown.removeEventListener("abort", stop);
      resolve(true);
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      resolve(false);
    };
    shutdown.addEventListener("abort", stop, { once: true });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): Json {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: Json, headers: Record<string, string>): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function stableJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, Json>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
