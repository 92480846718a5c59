import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createModelClient } from "../../../src/agents/model/create-model-client.js";
import { ModelApiError } from "../../../src/agents/model/errors.js";
import { withCacheControl } from "../../../src/agents/model/with-cache-control.js";

const BASE_URL = "https://api.anthropic.test";
const API_KEY = "sk-ant-api03-nock-key-0123456789abcdef";

const params: MessageCreateParamsNonStreaming = {
  model: "claude-opus-5-5",
  max_tokens: 512,
  tools: [{ name: "read_file", description: "Read a file", input_schema: { type: "object", properties: {} } }],
  system: "You migrate code carefully.",
  messages: [{ role: "user", content: [{ type: "text", text: "shared task" }, { type: "text", text: "Module: src/a.ts" }] }],
};

const message = {
  id: "msg_01",
  type: "message",
  role: "assistant",
  model: "claude-opus-5-5",
  content: [{ type: "text", text: "Done.", citations: null }],
  stop_reason: "end_turn",
  stop_sequence: null,
  stop_details: null,
  container: null,
  diagnostics: null,
  usage: { input_tokens: 12, output_tokens: 40, cache_creation_input_tokens: 3000, cache_read_input_tokens: 20_000 },
};

interface SentBody {
  model: string;
  tools: { cache_control?: unknown }[];
  system: { cache_control?: unknown }[];
  messages: { content: { cache_control?: unknown }[] }[];
}

function carriesCacheControl(body: SentBody): boolean {
  const marker = { type: "ephemeral" };
  return (
    body.model === "claude-opus-5-5" &&
    JSON.stringify(body.tools.at(-1)?.cache_control) === JSON.stringify(marker) &&
    JSON.stringify(body.system.at(-1)?.cache_control) === JSON.stringify(marker) &&
    JSON.stringify(body.messages[0]?.content[0]?.cache_control) === JSON.stringify(marker) &&
    body.messages[0]?.content[1]?.cache_control === undefined
  );
}

describe("createModelClient through the real SDK's HTTP (nock)", () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it("sends the model and cache_control breakpoints, retries a 529, and prices the usage", async () => {
    const scope = nock(BASE_URL)
      .post("/v1/messages", (body: SentBody) => carriesCacheControl(body))
      .reply(529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, { "retry-after": "0.01" })
      .post("/v1/messages", (body: SentBody) => carriesCacheControl(body))
      .matchHeader("authorization", `Bearer ${API_KEY}`)
      .reply(200, message, { "request-id": "req_nock_1" });

    const { params: marked, prefixKey } = withCacheControl(params, { sharedPrefixEnd: { message: 0, block: 0 } });
    const result = await createModelClient({ apiKey: API_KEY, baseURL: BASE_URL }).createMessage(marked, { prefixKey });

    expect(scope.isDone()).toBe(true);
    expect(result.attempts).toBe(2);
    expect(result.requestId).toBe("req_nock_1");
    expect(result.usage).toEqual({ input: 12, output: 40, cacheWrite: 3000, cacheRead: 20_000 });
    // Opus 5.5: $4 input, $20 output, $5 cache write, $0.20 cache read per million tokens.
    expect(result.costUsd).toBeCloseTo((12 * 4 + 40 * 20 + 3000 * 5 + 20_000 * 0.2) / 1e6, 12);
  });

  it("reports the API's error type and request id when retries run out", async () => {
    const scope = nock(BASE_URL)
      .post("/v1/messages")
      .times(2)
      .reply(429, { type: "error", error: { type: "rate_limit_error", message: "Slow down" } }, {
        "retry-after": "0.01",
        "request-id": "req_nock_429",
      });

    const client = createModelClient({ apiKey: API_KEY, baseURL: BASE_URL, maxRetries: 1 });
    const error = await client.createMessage(params).catch((e: unknown) => e);

    expect(scope.isDone()).toBe(true);
    expect(error).toBeInstanceOf(ModelApiError);
    expect(error).toMatchObject({ status: 429, type: "rate_limit_error", requestId: "req_nock_429", attempts: 2 });
    expect((error as Error).message).toContain("lower the run's concurrency");
  });
});
