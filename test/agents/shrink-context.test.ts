import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ELIDED_NOTE, shrinkContext } from "../../src/agents/shrink-context.js";
import { AgentFailedError } from "../../src/runtime/errors.js";
import { agentRequest, rejectionOf, reply, startHarness, type Harness } from "./agent-harness.js";

const BIG = Array.from({ length: 80 }, (_, i) => `export const value${i} = ${i}; // some padding to make the line longer`).join("\n") + "\n";

function toolTurn(id: string, content: string): MessageParam[] {
  return [
    { role: "assistant", content: [{ type: "tool_use", id, name: "read_file", input: { path: "a.ts" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: id, content }] },
  ];
}

describe("shrinkContext", () => {
  const task: MessageParam = { role: "user", content: [{ type: "text", text: "the task ".repeat(100) }] };
  const long = "x".repeat(500);

  it("elides tool results older than the recent messages, never the task, and keeps every tool_result", () => {
    const messages = [task, ...toolTurn("t1", long), ...toolTurn("t2", "short"), ...toolTurn("t3", long)];
    const { messages: out, elided } = shrinkContext(messages, 2);
    expect(elided).toBe(1);
    expect(out[0]).toBe(task);
    expect(out[2]!.content).toEqual([{ type: "tool_result", tool_use_id: "t1", content: ELIDED_NOTE }]);
    expect(out[4]).toBe(messages[4]); // too short to be worth eliding
    expect(out[6]).toBe(messages[6]); // the most recent turn stays intact
    expect(out.map((m) => m.role)).toEqual(messages.map((m) => m.role));
    expect(messages[2]!.content).toEqual([{ type: "tool_result", tool_use_id: "t1", content: long }]); // input untouched
  });

  it("does nothing twice: an elided result is not elided again", () => {
    const messages = [task, ...toolTurn("t1", long), ...toolTurn("t2", long)];
    const once = shrinkContext(messages, 2);
    expect(shrinkContext(once.messages, 2).elided).toBe(0);
  });
});

describe("worker: context management", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ "src/big.ts": BIG });
  });
  afterEach(async () => {
    await h.close();
  });

  const readThrice = (turn: number) =>
    turn <= 3 ? reply.toolUse("read_file", { path: "src/big.ts", start_line: turn }) : reply.toolUse("finish", { summary: "read", result: "ok" });

  it("with a small window, replaces old tool results with a note and keeps task and recent turns intact", async () => {
    h.script((c) => readThrice(c.turn));
    const result = await h.runner({ limits: { contextWindowTokens: 200 } }).run(agentRequest("Read big.ts"));

    const [first, , third, fourth] = h.conversations();
    const resultAt = (body: { messages: { content: { content?: unknown }[] }[] }, index: number) => body.messages[index]!.content[0]!.content;
    const texts = (body: { messages: { content: { text?: string }[] }[] }) => body.messages[0]!.content.map((b) => b.text);
    expect(texts(third!.body)).toEqual(texts(first!.body));
    expect(third!.body.system).toEqual(first!.body.system);
    expect(resultAt(third!.body, 2)).toBe(ELIDED_NOTE);
    expect(resultAt(third!.body, 4)).toContain("src/big.ts, lines 2-80 of 80");
    expect(resultAt(fourth!.body, 2)).toBe(ELIDED_NOTE);
    expect(resultAt(fourth!.body, 4)).toBe(ELIDED_NOTE);
    expect(resultAt(fourth!.body, 6)).toContain("src/big.ts, lines 3-80 of 80");
    expect(result.meta).toMatchObject({ elidedToolResults: 2, stopReason: "finished" });
  });

  it("keeps every tool result while the conversation is well inside the window", async () => {
    h.script((c) => readThrice(c.turn));
    const result = await h.runner().run(agentRequest("Read big.ts"));
    const last = h.conversations().at(-1)!;
    expect(JSON.stringify(last.body.messages)).not.toContain(ELIDED_NOTE);
    expect(result.meta).toMatchObject({ elidedToolResults: 0 });
  });

  it("fails the agent when the window is exceeded and nothing is left to elide", async () => {
    h.script(() => reply.text("...", { stopReason: "model_context_window_exceeded" }));
    const error = await rejectionOf(h.runner().run(agentRequest("Read big.ts")));
    expect(error).toBeInstanceOf(AgentFailedError);
    expect((error as AgentFailedError).message).toContain("context window");
    expect(h.conversations()).toHaveLength(1);
  });
});
