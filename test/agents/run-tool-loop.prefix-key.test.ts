/**
 * The tool loop hashes its shared prefix once and gives every later turn the
 * same key, which must be the key of that turn's own request.
 */
import type { Message, MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { NO_SERVER_TOOL_USE, sharedPrefixKey, type ModelClient } from "../../src/agents/model/index.js";
import { runToolLoop } from "../../src/agents/run-tool-loop.js";
import type { AgentTool } from "../../src/agents/tools/types.js";

const tool = (name: string, finish: boolean): AgentTool => ({
  definition: { name, description: name, input_schema: { type: "object", properties: {} } },
  run: async () => ({ content: "ok", ...(finish ? { finish: { summary: "done", result: "r" } } : {}) }),
});

describe("runToolLoop prefix key", () => {
  it("gives every turn the key of its own request's prefix", async () => {
    const seen: { params: MessageCreateParamsNonStreaming; prefixKey: string | undefined }[] = [];
    const model: ModelClient = {
      async createMessage(params, options) {
        seen.push({ params: structuredClone(params), prefixKey: options?.prefixKey });
        const name = seen.length < 4 ? "look" : "finish";
        const message = { id: `m${seen.length}`, type: "message", role: "assistant", model: params.model, stop_reason: "tool_use", stop_sequence: null, content: [{ type: "tool_use", id: `t${seen.length}`, name, input: {} }], usage: { input_tokens: 1, output_tokens: 1 } } as unknown as Message;
        return { message, usage: { input: 1, output: 1, cacheWrite: 0, cacheRead: 0 }, serverToolUse: { ...NO_SERVER_TOOL_USE }, costUsd: 0, requestId: null, attempts: 1 };
      },
    };
    const result = await runToolLoop({
      model,
      modelId: "claude-test",
      system: "system",
      tools: [tool("look", false), tool("finish", true)],
      shared: "shared context",
      prompt: "per agent",
      maxTurns: 10,
      maxOutputTokens: 100,
      contextWindowTokens: 200_000,
      maxToolOutputChars: 10_000,
      signal: new AbortController().signal,
      log: pino({ enabled: false }),
    });
    expect(result.stop).toBe("finished");
    expect(seen).toHaveLength(4);
    // Marked requests carry the system as a block; the key is the unmarked request's.
    for (const { params, prefixKey } of seen) expect(prefixKey).toBe(sharedPrefixKey({ ...params, system: "system" }, { message: 0, block: 0 }));
  });
});
