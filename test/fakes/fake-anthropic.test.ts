import { afterEach, describe, expect, it } from "vitest";
import { reply, startFakeAnthropic, type FakeAnthropic, type FakeAnthropicOptions } from "./fake-anthropic.js";

let api: FakeAnthropic | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(options: FakeAnthropicOptions = {}) {
  api = await startFakeAnthropic(options);
  return api;
}

const LONG = "a".repeat(8000); // 2,000 estimated tokens

function body(shared: string, suffix: string, extra: Record<string, unknown> = {}) {
  return {
    model: "claude-opus-5-5",
    max_tokens: 100,
    system: [{ type: "text", text: shared, cache_control: { type: "ephemeral" } }],
    messages: [{ role: "user", content: suffix }],
    ...extra,
  };
}

async function post(server: FakeAnthropic, payload: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "sk-test", ...headers },
    body: JSON.stringify(payload),
  });
  return { response, json: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("fake Anthropic API", () => {
  it("answers with a realistic message and records the request", async () => {
    const server = await start();
    server.queue(reply.toolUse("read_file", { path: "a.ts" }));
    const { response, json } = await post(server, body("short", "hi"), { "x-custom": "1" });
    expect(response.status).toBe(200);
    expect(response.headers.get("request-id")).toBe("req_fake_0");
    expect(json).toMatchObject({ type: "message", role: "assistant", model: "claude-opus-5-5", stop_reason: "tool_use" });
    expect(json.content[0]).toMatchObject({ type: "tool_use", name: "read_file", input: { path: "a.ts" } });
    expect(json.usage.input_tokens).toBe(Math.ceil("short".length / 4) + Math.ceil("hi".length / 4));
    expect(server.requests[0]).toMatchObject({ index: 0, method: "POST", path: "/v1/messages", status: 200 });
    expect(server.requests[0]!.headers["x-custom"]).toBe("1");
    expect(server.requests[0]!.body.messages[0].content).toBe("hi");
  });

  it("writes a long-enough prefix once and reads it on the next request", async () => {
    const server = await start();
    const first = (await post(server, body(LONG, "one"))).json.usage;
    const second = (await post(server, body(LONG, "two, a longer suffix"))).json.usage;
    expect(first).toMatchObject({ cache_creation_input_tokens: 2000, cache_read_input_tokens: 0, input_tokens: 1 });
    expect(first.cache_creation).toEqual({ ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 0 });
    expect(second).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 2000, input_tokens: 5 });
  });

  it("does not cache a prefix shorter than the minimum", async () => {
    const server = await start({ minCacheTokens: 4096 });
    await post(server, body(LONG, "one"));
    const usage = (await post(server, body(LONG, "two"))).json.usage;
    expect(usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0, input_tokens: 2001 });
  });

  it("hides a cache write from requests that arrive before the writer's response began", async () => {
    const server = await start();
    server.handle((_req, ctx) => (ctx.index === 0 ? reply.text("first", { delayMs: 300 }) : undefined));
    const first = post(server, body(LONG, "one"));
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const early = await post(server, body(LONG, "two"));
    await first;
    const late = await post(server, body(LONG, "three"));
    expect(early.json.usage.cache_creation_input_tokens).toBe(2000);
    expect(late.json.usage.cache_read_input_tokens).toBe(2000);
    expect(server.maxInFlight).toBe(2);
    expect(server.inFlight).toBe(0);
  });

  it("expires entries after the TTL of the injected clock, and a read refreshes it", async () => {
    let now = 1_000_000;
    const server = await start({ clock: { now: () => now } });
    await post(server, body(LONG, "write"));
    now += 4 * 60_000;
    expect((await post(server, body(LONG, "read"))).json.usage.cache_read_input_tokens).toBe(2000);
    now += 4 * 60_000; // 8 minutes after the write, 4 after the read
    expect((await post(server, body(LONG, "read again"))).json.usage.cache_read_input_tokens).toBe(2000);
    now += 5 * 60_000 + 1;
    expect((await post(server, body(LONG, "expired"))).json.usage.cache_creation_input_tokens).toBe(2000);
  });

  it("keeps a 1-hour entry past five minutes and reports it as a 1-hour write", async () => {
    let now = 0;
    const server = await start({ clock: { now: () => now } });
    const payload = body(LONG, "x");
    payload.system[0]!.cache_control = { type: "ephemeral", ttl: "1h" } as { type: string };
    const write = (await post(server, payload)).json.usage;
    expect(write.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 2000 });
    now += 30 * 60_000;
    expect((await post(server, payload)).json.usage.cache_read_input_tokens).toBe(2000);
  });

  it("caches up to a top-level cache_control (automatic caching)", async () => {
    const server = await start();
    const auto = { model: "m", max_tokens: 10, cache_control: { type: "ephemeral" }, messages: [{ role: "user", content: LONG }] };
    expect((await post(server, auto)).json.usage.cache_creation_input_tokens).toBe(2000);
    expect((await post(server, auto)).json.usage.cache_read_input_tokens).toBe(2000);
  });

  it("answers scripted errors with the API's error body and retry-after", async () => {
    const server = await start();
    server.queue(reply.error(529, { retryAfter: 2 }));
    const { response, json } = await post(server, body("s", "x"));
    expect(response.status).toBe(529);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(json).toEqual({ type: "error", error: { type: "overloaded_error", message: "overloaded_error" }, request_id: "req_fake_0" });
  });

  it("rejects requests without credentials or required fields, and other paths", async () => {
    const server = await start();
    const noKey = await fetch(`${server.url}/v1/messages`, { method: "POST", body: JSON.stringify(body("s", "x")) });
    expect(noKey.status).toBe(401);
    expect((await post(server, { model: "m", messages: [] })).response.status).toBe(400);
    expect((await fetch(`${server.url}/v1/models`)).status).toBe(404);
  });

  it("resets the connection when asked", async () => {
    const server = await start();
    server.queue(reply.reset());
    await expect(post(server, body("s", "x"))).rejects.toThrow();
    expect(server.requests[0]!.status).toBeNull();
  });
});

describe("fake Anthropic API: server-side web tools", () => {
  const search = (query: string) => ({ tool: "web_search" as const, query, results: [{ url: "https://docs.example.com/a", title: "A" }, { url: "https://spam.test/b", title: "B" }] });

  it("answers declared searches and fetches with result blocks and bills them in usage", async () => {
    const server = await start();
    server.queue(reply.text("found it", { serverTools: [search("node permissions"), { tool: "web_fetch", url: "https://docs.example.com/a", text: "page text" }] }));
    const tools = [
      { type: "web_search_20260318", name: "web_search", max_uses: 3 },
      { type: "web_fetch_20260318", name: "web_fetch", max_uses: 3 },
    ];
    const { json } = await post(server, body("s", "q", { tools }));
    expect(json.content.map((b: { type: string }) => b.type)).toEqual(["server_tool_use", "web_search_tool_result", "server_tool_use", "web_fetch_tool_result", "text"]);
    expect(json.content[1].content.map((r: { url: string }) => r.url)).toEqual(["https://docs.example.com/a", "https://spam.test/b"]);
    expect(json.usage.server_tool_use).toEqual({ web_search_requests: 1, web_fetch_requests: 1 });
  });

  it("honours max_uses and domain lists the way the API does, billing only what ran", async () => {
    const server = await start();
    server.queue(reply.text("done", { serverTools: [search("one"), search("two"), { tool: "web_fetch", url: "https://spam.test/b", text: "x" }] }));
    const tools = [
      { type: "web_search_20260318", name: "web_search", max_uses: 1, allowed_domains: ["example.com"] },
      { type: "web_fetch_20260318", name: "web_fetch", allowed_domains: ["example.com"] },
    ];
    const { json } = await post(server, body("s", "q", { tools }));
    expect(json.content[1].content.map((r: { url: string }) => r.url)).toEqual(["https://docs.example.com/a"]);
    expect(json.content[3].content).toEqual({ type: "web_search_tool_result_error", error_code: "max_uses_exceeded" });
    expect(json.content[5].content).toEqual({ type: "web_fetch_tool_result_error", error_code: "url_not_allowed" });
    expect(json.usage.server_tool_use).toEqual({ web_search_requests: 1, web_fetch_requests: 0 });
  });

  it("refuses a reply that uses a tool the request did not declare", async () => {
    const server = await start();
    server.queue(reply.text("x", { serverTools: [search("q")] }));
    const { response, json } = await post(server, body("s", "q"));
    expect(response.status).toBe(400);
    expect(json.error.message).toContain("web_search, which the request did not declare");
  });
});
