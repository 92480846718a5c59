import { inspect } from "node:util";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createModelClient, type ModelClientOptions } from "../../../src/agents/model/create-model-client.js";
import { ModelApiError, ModelCallAbortedError, UnknownModelPriceError } from "../../../src/agents/model/errors.js";
import { withCacheControl } from "../../../src/agents/model/with-cache-control.js";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../../fakes/fake-anthropic.js";

const API_KEY = "sk-ant-api03-test-key-0123456789abcdef";
const TEST_PRICE = { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 };
const SHARED_CONTEXT = "The repository uses fetchJson in many modules. ".repeat(200); // ~2,400 tokens

let api: FakeAnthropic;
beforeEach(async () => {
  api = await startFakeAnthropic({ prefixDelayMs: 30 });
});
afterEach(async () => {
  await api.close();
});

function client(options: Partial<ModelClientOptions> = {}) {
  return createModelClient({ apiKey: API_KEY, baseURL: api.url, prices: { "test-model": TEST_PRICE }, ...options });
}

function request(worker: string, model = "test-model"): MessageCreateParamsNonStreaming {
  return {
    model,
    max_tokens: 256,
    system: "You migrate code carefully.",
    messages: [{ role: "user", content: [{ type: "text", text: SHARED_CONTEXT }, { type: "text", text: `Module: ${worker}` }] }],
  };
}

function cached(worker: string) {
  return withCacheControl(request(worker), { sharedPrefixEnd: { message: 0, block: 0 } });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("createMessage: answers, usage and cost", () => {
  it("returns the message with usage and dollars, cache write first and cache read after", async () => {
    api.queue(reply.toolUse("read_file", { path: "src/a.ts" }, { text: "Reading." }));
    const model = client();
    const first = cached("src/a.ts");
    const one = await model.createMessage(first.params, { prefixKey: first.prefixKey });
    const two = await model.createMessage(cached("src/b.ts").params);

    expect(one.message.stop_reason).toBe("tool_use");
    expect(one.message.content.at(-1)).toMatchObject({ type: "tool_use", name: "read_file", input: { path: "src/a.ts" } });
    expect(one.requestId).toBe("req_fake_0");
    expect(one.attempts).toBe(1);
    expect(one.usage.cacheWrite).toBeGreaterThan(1024);
    expect(one.usage.cacheRead).toBe(0);
    expect(two.usage.cacheRead).toBe(one.usage.cacheWrite);
    expect(two.usage.cacheWrite).toBe(0);
    for (const [result, seen] of [
      [one, api.requests[0]!.usage!],
      [two, api.requests[1]!.usage!],
    ] as const) {
      expect(result.usage).toEqual({
        input: seen.input_tokens,
        output: seen.output_tokens,
        cacheWrite: seen.cache_creation_input_tokens,
        cacheRead: seen.cache_read_input_tokens,
      });
      const u = result.usage;
      expect(result.costUsd).toBeCloseTo((u.input * 1 + u.output * 2 + u.cacheWrite * 3 + u.cacheRead * 4) / 1e6, 12);
    }
  });

  it("prices with the override table instead of the default price", async () => {
    const defaults = await client().createMessage(request("a", "claude-opus-5-5"));
    const overridden = await client({ prices: { "claude-opus-5-5": { input: 0, output: 1_000_000, cacheWrite: 0, cacheRead: 0 } } })
      .createMessage(request("a", "claude-opus-5-5"));
    expect(overridden.costUsd).toBe(overridden.usage.output);
    expect(defaults.costUsd).not.toBe(overridden.costUsd);
  });

  it("refuses a model without a price before sending anything", async () => {
    const error = await failure(client().createMessage(request("a", "claude-imaginary-9")));
    expect(error).toBeInstanceOf(UnknownModelPriceError);
    expect(api.requests).toHaveLength(0);
  });
});

describe("createMessage: retries", () => {
  it("waits as long as retry-after says after a 429, then succeeds", async () => {
    api.queue(reply.error(429, { retryAfter: 1 }));
    const result = await client().createMessage(request("a"));
    expect(result.attempts).toBe(2);
    expect(api.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(api.requests[1]!.headers["x-stainless-retry-count"]).toBe("1");
    // The SDK's own first backoff is at most 0.5 s: a gap of a full second is retry-after.
    expect(api.requests[1]!.receivedAt - api.requests[0]!.receivedAt).toBeGreaterThanOrEqual(990);
  });

  it.each([
    ["overloaded (529)", reply.error(529, { retryAfter: 0.01 })],
    ["server error (500)", reply.error(500, { retryAfter: 0.01 })],
    ["connection reset", reply.reset()],
  ])("retries after a %s and succeeds", async (_name, failureReply) => {
    api.queue(failureReply);
    const result = await client().createMessage(request("a"));
    expect(result.attempts).toBe(2);
    expect(result.message.content[0]).toMatchObject({ type: "text", text: "ok" });
    expect(api.requests).toHaveLength(2);
  });

  it("throws a ModelApiError that counts the attempts once retries run out", async () => {
    api.handle(() => reply.error(529, { retryAfter: 0.01 }));
    const error = await failure(client({ maxRetries: 4 }).createMessage(request("a")));
    expect(error).toBeInstanceOf(ModelApiError);
    const apiError = error as ModelApiError;
    expect(apiError).toMatchObject({ code: "model_api_error", status: 529, type: "overloaded_error", attempts: 5, retryable: true });
    expect(apiError.requestId).toBe("req_fake_4");
    expect(apiError.message).toBe(
      "the model API was overloaded (529) after 5 attempts; the run keeps finished work — resume it later",
    );
    expect(api.requests).toHaveLength(5);
  });

  it("does not retry a request the API rejects as invalid", async () => {
    api.queue(reply.error(400, { message: "max_tokens: must be positive" }));
    const error = (await failure(client().createMessage(request("a")))) as ModelApiError;
    expect(error).toMatchObject({ status: 400, type: "invalid_request_error", attempts: 1, retryable: false });
    expect(error.message).toContain("max_tokens: must be positive");
    expect(api.requests).toHaveLength(1);
  });
});

describe("createMessage: timeout and cancellation", () => {
  it("gives up on an attempt that does not answer within the timeout", async () => {
    api.queue(reply.hang());
    const error = (await failure(client({ timeoutMs: 200, maxRetries: 0 }).createMessage(request("a")))) as ModelApiError;
    expect(error).toBeInstanceOf(ModelApiError);
    expect(error).toMatchObject({ status: null, type: "timeout_error", attempts: 1 });
    expect(error.message).toContain("did not answer within 200 ms");
  });

  it("stops a request in flight when the signal aborts", async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    api.handle(() => {
      arrived();
      return reply.hang();
    });
    const controller = new AbortController();
    const call = failure(client().createMessage(request("a"), { signal: controller.signal }));
    await arrival;
    controller.abort();
    const error = await call;
    expect(error).toBeInstanceOf(ModelCallAbortedError);
    expect((error as ModelCallAbortedError).attempts).toBe(1);
  });

  it("sends nothing for a request aborted while held for its prefix", async () => {
    api.handle(() => reply.text("slow", { delayMs: 300 }));
    const model = client();
    const first = cached("a");
    const leader = model.createMessage(first.params, { prefixKey: first.prefixKey });
    const controller = new AbortController();
    const second = cached("b");
    const held = failure(model.createMessage(second.params, { prefixKey: second.prefixKey, signal: controller.signal }));
    controller.abort();
    expect(await held).toBeInstanceOf(ModelCallAbortedError);
    await leader;
    expect(api.requests).toHaveLength(1);
  });
});

describe("createMessage: prefix hold", () => {
  async function fanOut(prefixHoldMs: number) {
    // Long enough that all five requests are sent before the first response begins.
    api.handle(() => reply.text("ok", { delayMs: 200 }));
    const model = client({ prefixHoldMs });
    const calls = ["a", "b", "c", "d", "e"].map((worker) => {
      const { params, prefixKey } = cached(worker);
      return model.createMessage(params, { prefixKey });
    });
    return Promise.all(calls);
  }

  it("holds siblings until the first response begins, so they read the prefix from the cache", async () => {
    const results = await fanOut(5000);
    expect(results.filter((r) => r.usage.cacheWrite > 0)).toHaveLength(1);
    expect(results.filter((r) => r.usage.cacheRead > 0)).toHaveLength(4);
  });

  it("when the first request fails, one sibling takes the lead and the others still read its cache write", async () => {
    api.handle((_req, ctx) => (ctx.index === 0 ? reply.error(400, { delayMs: 100 }) : reply.text("ok", { delayMs: 100 })));
    const model = client();
    const calls = ["a", "b", "c", "d"].map((worker) => {
      const { params, prefixKey } = cached(worker);
      return model.createMessage(params, { prefixKey }).catch((error: unknown) => error);
    });
    const [failed, ...rest] = await Promise.all(calls);
    expect(failed).toBeInstanceOf(ModelApiError);
    const usages = rest.map((r) => (r as { usage: { cacheWrite: number; cacheRead: number } }).usage);
    expect(usages.filter((u) => u.cacheWrite > 0)).toHaveLength(1);
    expect(usages.filter((u) => u.cacheRead > 0)).toHaveLength(2);
  });

  it("with the hold off, concurrent siblings all miss the cache and all write it", async () => {
    const results = await fanOut(0);
    expect(results.filter((r) => r.usage.cacheWrite > 0)).toHaveLength(5);
    expect(api.maxInFlight).toBe(5);
  });
});

describe("the API key", () => {
  it("never appears in errors or log lines, even when the API echoes it", async () => {
    const lines: string[] = [];
    const log = pino({ level: "debug" }, { write: (line: string) => void lines.push(line) });
    api.handle((req) => reply.error(401, { message: `invalid key: ${String(req.headers.authorization)}` }));
    const rejected = await failure(client({ log }).createMessage(request("a")));
    api.handle(() => reply.error(529, { retryAfter: 0.01, message: `overloaded for ${API_KEY}` }));
    const overloaded = await failure(client({ log, maxRetries: 1 }).createMessage(request("a")));
    api.handle(() => reply.error(400, { message: `bad request from ${API_KEY}` }));
    const invalid = await failure(client({ log }).createMessage(request("a")));
    const unreachable = await failure(
      createModelClient({ apiKey: API_KEY, baseURL: "http://127.0.0.1:9", maxRetries: 0, log, prices: { "test-model": TEST_PRICE } })
        .createMessage(request("a")),
    );

    for (const error of [rejected, overloaded, invalid, unreachable]) {
      expect(error).toBeInstanceOf(ModelApiError);
      expect((error as Error).message).not.toContain(API_KEY);
      expect(inspect(error, { depth: 10 })).not.toContain(API_KEY);
      expect(JSON.stringify(error)).not.toContain(API_KEY);
    }
    expect((rejected as ModelApiError).message).toContain("check ANTHROPIC_API_KEY");
    expect((invalid as ModelApiError).message).toContain("bad request from [redacted]");
    expect((unreachable as ModelApiError).type).toBe("connection_error");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(API_KEY);
  });
});
