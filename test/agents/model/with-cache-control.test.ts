import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import { CacheBreakpointLimitError } from "../../../src/agents/model/errors.js";
import { withCacheControl } from "../../../src/agents/model/with-cache-control.js";

const tools = [
  { name: "read_file", description: "Read a file", input_schema: { type: "object" as const, properties: {} } },
  { name: "write_file", description: "Write a file", input_schema: { type: "object" as const, properties: {} } },
];

function workerRequest(suffix: string, system = "You are a careful engineer."): MessageCreateParamsNonStreaming {
  return {
    model: "claude-opus-5-5",
    max_tokens: 1024,
    tools,
    system,
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "Task: migrate every caller of fetchJson to the new client." },
          { type: "text", text: "Repository overview: ..." },
          { type: "text", text: suffix },
        ],
      },
    ],
  };
}

const SHARED_END = { message: 0, block: 1 };

describe("withCacheControl", () => {
  it("marks the last tool, the system prompt and the last shared block, and nothing else", () => {
    const { params } = withCacheControl(workerRequest("Your module: src/a.ts"), { sharedPrefixEnd: SHARED_END });
    expect(params.tools?.map((t) => "cache_control" in t)).toEqual([false, true]);
    expect(params.tools?.[1]).toMatchObject({ cache_control: { type: "ephemeral" } });
    expect(params.system).toEqual([
      { type: "text", text: "You are a careful engineer.", cache_control: { type: "ephemeral" } },
    ]);
    const blocks = params.messages[0]!.content as { cache_control?: unknown }[];
    expect(blocks.map((b) => b.cache_control)).toEqual([undefined, { type: "ephemeral" }, undefined]);
  });

  it("does not change the request it was given", () => {
    const original = workerRequest("Your module: src/a.ts");
    const copy = structuredClone(original);
    withCacheControl(original, { sharedPrefixEnd: SHARED_END, ttl: "1h" });
    expect(original).toEqual(copy);
  });

  it("marks the last block of a system prompt given as blocks, and converts string content", () => {
    const request: MessageCreateParamsNonStreaming = {
      model: "claude-opus-5-5",
      max_tokens: 10,
      system: [
        { type: "text", text: "one" },
        { type: "text", text: "two" },
      ],
      messages: [{ role: "user", content: "the shared context" }],
    };
    const { params } = withCacheControl(request, { sharedPrefixEnd: { message: 0, block: 0 }, ttl: "1h" });
    expect(params.system).toEqual([
      { type: "text", text: "one" },
      { type: "text", text: "two", cache_control: { type: "ephemeral", ttl: "1h" } },
    ]);
    expect(params.messages[0]!.content).toEqual([
      { type: "text", text: "the shared context", cache_control: { type: "ephemeral", ttl: "1h" } },
    ]);
  });

  it("gives same-shaped requests one prefix key whatever their own suffix", () => {
    const a = withCacheControl(workerRequest("Your module: src/a.ts"), { sharedPrefixEnd: SHARED_END });
    const b = withCacheControl(workerRequest("Your module: src/b.ts"), { sharedPrefixEnd: SHARED_END });
    expect(a.prefixKey).toBe(b.prefixKey);
    expect(a.prefixKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives a different prefix key when the model, system or shared context differ", () => {
    const base = withCacheControl(workerRequest("x"), { sharedPrefixEnd: SHARED_END }).prefixKey;
    const otherSystem = withCacheControl(workerRequest("x", "You are terse."), { sharedPrefixEnd: SHARED_END });
    const otherModel = withCacheControl({ ...workerRequest("x"), model: "claude-sonnet-5-5" }, { sharedPrefixEnd: SHARED_END });
    const shorterShared = withCacheControl(workerRequest("x"), { sharedPrefixEnd: { message: 0, block: 0 } });
    expect(new Set([base, otherSystem.prefixKey, otherModel.prefixKey, shorterShared.prefixKey]).size).toBe(4);
  });

  it("refuses to exceed the API's four breakpoints", () => {
    const request = workerRequest("x");
    const blocks = request.messages[0]!.content as { cache_control?: { type: "ephemeral" } }[];
    blocks[2]!.cache_control = { type: "ephemeral" };
    request.messages.push({ role: "assistant", content: [{ type: "text", text: "ok", cache_control: { type: "ephemeral" } }] });
    expect(() => withCacheControl(request, { sharedPrefixEnd: SHARED_END })).toThrow(CacheBreakpointLimitError);
  });

  it("rejects a shared-prefix end outside the messages", () => {
    expect(() => withCacheControl(workerRequest("x"), { sharedPrefixEnd: { message: 0, block: 3 } })).toThrow(RangeError);
    expect(() => withCacheControl(workerRequest("x"), { sharedPrefixEnd: { message: 2, block: 0 } })).toThrow(RangeError);
  });
});
