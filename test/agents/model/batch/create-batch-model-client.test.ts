import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BATCH_DISCOUNT } from "../../../../src/agents/model/batch/batch-pricing.js";
import { createBatchModelClient, type BatchModelClientOptions } from "../../../../src/agents/model/batch/create-batch-model-client.js";
import { ModelApiError, ModelCallAbortedError, UnknownModelPriceError } from "../../../../src/agents/model/errors.js";
import { costOf } from "../../../../src/agents/model/models.js";
import { withCacheControl } from "../../../../src/agents/model/with-cache-control.js";
import { reply, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../../../fakes/fake-anthropic.js";

const API_KEY = "sk-ant-api03-test-key-0123456789abcdef";
// Distinct rates per token kind, so a discount applied to only some of them shows.
const TEST_PRICE = { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 };
const SHARED_CONTEXT = "Every route handler must check the session first. ".repeat(120); // ~1,500 tokens

let api: FakeAnthropic;
beforeEach(async () => {
  api = await startFakeAnthropic({ batchDelayMs: 25 });
});
afterEach(async () => {
  await api.close();
});

/** vi.waitFor polls for a state; a loaded machine may take a while to reach it. */
const LOADED = { timeout: 30_000, interval: 20 };

function client(options: Partial<BatchModelClientOptions> = {}) {
  return createBatchModelClient({ apiKey: API_KEY, baseURL: api.url, prices: { "test-model": TEST_PRICE }, flushMs: 20, pollMs: 5, ...options });
}

function request(topic: string, model = "test-model"): MessageCreateParamsNonStreaming {
  return { model, max_tokens: 256, messages: [{ role: "user", content: [{ type: "text", text: SHARED_CONTEXT }, { type: "text", text: `Topic: ${topic}` }] }] };
}

/** The topic of a recorded message request (the last text block). */
function topicOf(record: RecordedRequest): string {
  const blocks = record.body.messages[0].content as { text: string }[];
  return blocks.at(-1)?.text.replace("Topic: ", "") ?? "";
}

const creates = () => api.requests.filter((r) => r.method === "POST" && r.path === "/v1/messages/batches");
const retrieves = () => api.requests.filter((r) => r.method === "GET" && /^\/v1\/messages\/batches\/[^/]+$/.test(r.path));
const textOf = (message: { content: unknown[] }) => (message.content[0] as { text: string }).text;

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("createBatchModelClient: one batch for concurrent calls", () => {
  it("sends concurrent calls as ONE batch and gives each caller its own message", async () => {
    api.handle((record) => reply.text(`answer about ${topicOf(record)}`));
    const model = client();
    const topics = ["auth", "billing", "search", "users"];
    const responses = await Promise.all(topics.map((topic) => model.createMessage(request(topic))));

    expect(responses.map((r) => textOf(r.message))).toEqual(topics.map((t) => `answer about ${t}`));
    expect(creates()).toHaveLength(1);
    const body = creates()[0]?.body as { requests: { custom_id: string; params: MessageCreateParamsNonStreaming }[] };
    expect(body.requests).toHaveLength(4);
    expect(new Set(body.requests.map((r) => r.custom_id)).size).toBe(4);
    expect(body.requests.map((r) => r.params)).toEqual(topics.map((t) => request(t)));
    // Nothing went through the Messages API directly; results were read after polling.
    expect(api.requests.filter((r) => r.path === "/v1/messages" && !r.batch)).toEqual([]);
    expect(retrieves().length).toBeGreaterThanOrEqual(1);
    expect(api.requests.some((r) => r.method === "GET" && r.path.endsWith("/results"))).toBe(true);
    expect(new Set(responses.map((r) => r.batchId))).toEqual(new Set([api.batches[0]?.id]));
  });

  it("polls until processing has ended before reading the results", async () => {
    await api.close();
    api = await startFakeAnthropic({ batchDelayMs: 1 });
    const seen: string[] = [];
    // The batch's request is answered only once a poll has seen the batch in progress: a state, not a
    // duration, so a slow machine cannot let the batch end before the first poll.
    let polled = () => {};
    const firstPoll = new Promise<void>((resolve) => (polled = resolve));
    api.handle(async () => {
      await firstPoll;
      return reply.text("polled answer");
    });
    const watching: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const url = String(input instanceof Request ? input.url : input);
      if (/\/v1\/messages\/batches\/[^/]+$/.test(new URL(url).pathname)) {
        seen.push(((await response.clone().json()) as { processing_status: string }).processing_status);
        polled();
      } else if (url.endsWith("/results")) seen.push("results");
      return response;
    };
    await client({ fetch: watching }).createMessage(request("poll"));
    // Polled while in progress, then read the results once a poll saw the batch ended.
    expect(seen[0]).toBe("in_progress");
    expect(seen.at(-1)).toBe("results");
    expect(seen.slice(0, seen.indexOf("ended"))).toEqual(seen.slice(0, seen.indexOf("ended")).map(() => "in_progress"));
    expect(seen.indexOf("ended")).toBeLessThan(seen.indexOf("results"));
  });

  it("splits at maxBatch and starts a new batch for calls after a flush", async () => {
    const model = client({ maxBatch: 2 });
    await Promise.all(["a", "b", "c", "d", "e"].map((t) => model.createMessage(request(t))));
    expect(creates().map((r) => r.body.requests.length)).toEqual([2, 2, 1]);

    await model.createMessage(request("f"));
    expect(creates()).toHaveLength(4);
    expect(model.totals()).toMatchObject({ batches: 4, requests: 6, succeeded: 6, failed: 0, aborted: 0 });
  });

  it("submits at once on flush() instead of waiting for flushMs", async () => {
    const model = client({ flushMs: 60 * 60_000 });
    const pending = model.createMessage(request("now"));
    model.flush();
    const response = await pending;
    expect(response.batchId).toBe(api.batches[0]?.id);
    expect(creates()).toHaveLength(1);
  });

  it("rejects maxBatch outside the API's limit", () => {
    expect(() => client({ maxBatch: 0 })).toThrow(/maxBatch must be a whole number from 1 to 100000/);
    expect(() => client({ maxBatch: 100_001 })).toThrow(RangeError);
  });
});

describe("createBatchModelClient: costs", () => {
  it("charges half the standard price for every token kind and reports the standard price too", async () => {
    const model = client();
    const cached = withCacheControl(request("cached"), { sharedPrefixEnd: { message: 0, block: 0 } });
    const [first, second] = await Promise.all([model.createMessage(cached.params), model.createMessage(request("plain"))]);
    const responses = [first, second].map((r) => r as NonNullable<typeof r>);

    expect(responses[0]?.usage.cacheWrite).toBeGreaterThan(1024);
    for (const response of responses) {
      const list = costOf(response.usage, TEST_PRICE);
      expect(response.listCostUsd).toBeCloseTo(list, 12);
      expect(response.costUsd).toBeCloseTo(list * 0.5, 12);
      expect(response.discount).toBe(BATCH_DISCOUNT);
    }
    const totals = model.totals();
    expect(totals.costUsd).toBeCloseTo(responses.reduce((sum, r) => sum + r.costUsd, 0), 12);
    expect(totals.listCostUsd).toBeCloseTo(2 * totals.costUsd, 12);
  });

  it("throws UnknownModelPriceError before anything is sent", async () => {
    const error = await failure(client().createMessage(request("x", "claude-unknown-1")));
    expect(error).toBeInstanceOf(UnknownModelPriceError);
    expect(api.requests).toEqual([]);
  });
});

describe("createBatchModelClient: failures per request", () => {
  it("maps an errored request to ModelApiError and still answers the others", async () => {
    api.handle((record) => {
      const topic = topicOf(record);
      if (topic === "bad") return reply.error(400, { message: "max_tokens: too large" });
      if (topic === "busy") return reply.error(529);
      return undefined;
    });
    const model = client();
    const [bad, busy, good] = await Promise.allSettled(["bad", "busy", "good"].map((t) => model.createMessage(request(t))));

    expect(good).toMatchObject({ status: "fulfilled" });
    const badError = (bad as PromiseRejectedResult).reason as ModelApiError;
    expect(badError).toBeInstanceOf(ModelApiError);
    expect(badError).toMatchObject({ code: "model_api_error", status: 400, type: "invalid_request_error", retryable: false });
    expect(badError.message).toContain("max_tokens: too large");
    expect((busy as PromiseRejectedResult).reason).toMatchObject({ status: 529, type: "overloaded_error", retryable: true });
    expect(model.totals()).toMatchObject({ succeeded: 1, failed: 2 });
  });

  it("fails expired and canceled requests with their own error type", async () => {
    api.handle((record) => (topicOf(record) === "late" ? reply.expired() : topicOf(record) === "stopped" ? reply.canceled() : undefined));
    const model = client();
    const [late, stopped] = await Promise.allSettled(["late", "stopped"].map((t) => model.createMessage(request(t))));

    const expired = (late as PromiseRejectedResult).reason as ModelApiError;
    expect(expired).toBeInstanceOf(ModelApiError);
    expect(expired).toMatchObject({ type: "batch_expired", status: null, retryable: true });
    expect(expired.message).toMatch(/expired .* before processing it/);
    expect((stopped as PromiseRejectedResult).reason).toMatchObject({ type: "batch_canceled", retryable: true });
  });

  it("fails every caller with ModelApiError when the API refuses the batch", async () => {
    const refusing: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.endsWith("/v1/messages/batches")) {
        return new Response(JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "requests: too many" } }), {
          status: 400,
          headers: { "content-type": "application/json" },
        });
      }
      return fetch(input, init);
    };
    const model = client({ fetch: refusing, maxRetries: 0 });
    const results = await Promise.allSettled([model.createMessage(request("a")), model.createMessage(request("b"))]);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      expect((result as PromiseRejectedResult).reason).toMatchObject({ status: 400, type: "invalid_request_error", retryable: false });
    }
  });
});

describe("createBatchModelClient: polling failures", () => {
  /** A fetch that answers the first `count` polls with `status`. */
  function failingPolls(count: number, status: number): typeof fetch {
    let failed = 0;
    return async (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (/^\/v1\/messages\/batches\/[^/]+$/.test(url.pathname) && failed < count) {
        failed += 1;
        return new Response(JSON.stringify({ type: "error", error: { type: "api_error", message: "poll failed" } }), {
          status,
          headers: { "content-type": "application/json" },
        });
      }
      return fetch(input, init);
    };
  }

  it("keeps polling through failures that pass", async () => {
    const model = client({ fetch: failingPolls(2, 500), maxRetries: 0 });
    await expect(model.createMessage(request("steady"))).resolves.toMatchObject({ batchId: "msgbatch_fake_0" });
  });

  it("fails the batch's requests when a poll fails for good", async () => {
    const model = client({ fetch: failingPolls(1, 404), maxRetries: 0 });
    const error = await failure(model.createMessage(request("gone")));
    expect(error).toBeInstanceOf(ModelApiError);
    expect(error).toMatchObject({ status: 404, retryable: false });
  });
});

describe("createBatchModelClient: abort", () => {
  it("takes an aborted request out of a batch that is not submitted yet", async () => {
    api.handle((record) => reply.text(`answer about ${topicOf(record)}`));
    const model = client({ flushMs: 50 });
    const controller = new AbortController();
    const dropped = model.createMessage(request("dropped"), { signal: controller.signal });
    const kept = model.createMessage(request("kept"));
    controller.abort();

    const error = await failure(dropped);
    expect(error).toBeInstanceOf(ModelCallAbortedError);
    expect((error as ModelCallAbortedError).attempts).toBe(0);
    expect(textOf((await kept).message)).toBe("answer about kept");
    expect(creates()).toHaveLength(1);
    expect(creates()[0]?.body.requests.map((r: { params: MessageCreateParamsNonStreaming }) => topicOf({ body: r.params } as RecordedRequest))).toEqual(["kept"]);
    expect(model.totals()).toMatchObject({ requests: 2, succeeded: 1, aborted: 1 });
  });

  it("sends nothing when every request of a batch is aborted before it is submitted", async () => {
    const model = client({ flushMs: 30 });
    const controller = new AbortController();
    const pending = model.createMessage(request("gone"), { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(ModelCallAbortedError);
    model.flush();
    expect(api.requests).toEqual([]);
  });

  it("cancels a submitted batch once no caller waits for it", async () => {
    api.handle(() => reply.hang());
    const model = client();
    const controller = new AbortController();
    const pending = model.createMessage(request("slow"), { signal: controller.signal });
    await vi.waitFor(() => expect(retrieves().length).toBeGreaterThan(0), LOADED);
    controller.abort();

    const error = await failure(pending);
    expect(error).toBeInstanceOf(ModelCallAbortedError);
    expect((error as ModelCallAbortedError).attempts).toBe(1);
    await vi.waitFor(() => expect(api.batches[0]?.cancelled).toBe(true), LOADED);
  });

  it("keeps a submitted batch going while another caller still waits", async () => {
    // The batch cannot end before the caller leaves: its slow request is answered only after the abort.
    const controller = new AbortController();
    const left = new Promise<void>((resolve) => controller.signal.addEventListener("abort", () => resolve(), { once: true }));
    api.handle(async (record) => {
      if (topicOf(record) !== "slow") return undefined;
      await left;
      return reply.text("slow answer");
    });
    const model = client();
    const leaving = model.createMessage(request("leaving"), { signal: controller.signal });
    const staying = model.createMessage(request("slow"));
    await vi.waitFor(() => expect(creates()).toHaveLength(1), LOADED);
    controller.abort();

    await expect(leaving).rejects.toBeInstanceOf(ModelCallAbortedError);
    expect(textOf((await staying).message)).toBe("slow answer");
    expect(api.batches[0]?.cancelled).toBe(false);
  });
});
