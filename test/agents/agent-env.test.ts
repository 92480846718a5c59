/**
 * What an agent's resolved options do to its conversation: the agent type's
 * role prompt inside dynflow's frame, tools narrowed to what the type allows,
 * and effort as the model takes it. Real runner, real SDK, fake API.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AgentFailedError } from "../../src/runtime/errors.js";
import { agentRequest, rejectionOf, reply, startHarness, type Harness } from "./agent-harness.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ "src/a.ts": "export const a = 1;\n" });
});
afterEach(async () => {
  await h.close();
});

const toolNames = (body: { tools: { name: string }[] }) => body.tools.map((tool) => tool.name);

describe("agent types in the runner", () => {
  it("puts the role prompt after dynflow's own frame and offers only the tools the type allows", async () => {
    h.script(() => reply.toolUse("finish", { summary: "read a.ts", result: "a is 1" }));
    const rolePrompt = { type: "reviewer", source: ".claude/agents/reviewer.md", text: "You review code for security holes. Be terse." };
    const result = await h.runner().run(agentRequest("Review src/a.ts", { agentType: "reviewer", rolePrompt, tools: ["read_file", "read_base_file", "search", "search_base", "list_files", "finish"] }));
    const [first] = h.conversations();
    const system = first!.body.system.map((block: { text: string }) => block.text).join("");
    expect(system.indexOf("You are a worker agent of dynflow")).toBe(0);
    expect(system).toContain("# Your role: reviewer");
    expect(system).toContain(".claude/agents/reviewer.md");
    expect(system.trimEnd().endsWith("You review code for security holes. Be terse.")).toBe(true);
    expect(system).toContain("Your tools are limited to: list_files, read_file, search, finish.");
    expect(toolNames(first!.body)).toEqual(["list_files", "read_file", "search", "finish"]);
    expect(result.output).toBe("a is 1");
  });

  it("takes away what disallowedTools lists, and nothing from an agent without a type", async () => {
    h.script(() => reply.toolUse("finish", { summary: "s", result: "r" }));
    await h.runner().run(agentRequest("No writes here", { withoutTools: ["write_file", "delete_file", "edit_file"] }));
    await h.runner().run(agentRequest("Plain worker", {}, { agentId: "a2" }));
    const [narrowed, plain] = [h.conversations("No writes")[0]!, h.conversations("Plain worker")[0]!];
    expect(toolNames(narrowed.body)).toEqual(["list_files", "read_file", "search", "finish"]);
    expect(toolNames(plain.body)).toEqual(["list_files", "read_file", "search", "write_file", "edit_file", "delete_file", "finish"]);
    expect(plain.body.system.map((b: { text: string }) => b.text).join("")).not.toContain("Your role");
  });

  it("fails before any model call when the type leaves the agent no tool to work with", async () => {
    const error = await rejectionOf(h.runner().run(agentRequest("Run the tests", { agentType: "runner", tools: ["run_command", "finish"] })));
    expect(error).toBeInstanceOf(AgentFailedError);
    expect((error as Error).message).toContain('agent type "runner" leaves this worker no tool to work with: it allows run_command');
    expect(h.api.requests).toHaveLength(0);
  });
});

describe("effort in the runner", () => {
  it("sends output_config.effort with room to think on models that take it, and a thinking budget on those that only think that way", async () => {
    h.script(() => reply.toolUse("finish", { summary: "s", result: "r" }));
    await h.runner().run(agentRequest("high effort", { model: "claude-opus-5-5", effort: "high" }));
    await h.runner().run(agentRequest("xhigh on sonnet 4.6", { model: "claude-sonnet-4-6", effort: "xhigh" }, { agentId: "a2" }));
    await h.runner().run(agentRequest("budget on haiku 4.5", { model: "claude-haiku-4-5", effort: "medium" }, { agentId: "a3" }));
    await h.runner().run(agentRequest("no effort", { model: "claude-opus-5-5" }, { agentId: "a4" }));
    const body = (marker: string) => h.conversations(marker)[0]!.body;
    expect(body("high effort")).toMatchObject({ output_config: { effort: "high" }, max_tokens: 32_000 });
    expect(body("high effort").thinking).toBeUndefined();
    // Sonnet 4.6 has no xhigh: the next level down is sent.
    expect(body("xhigh on sonnet 4.6")).toMatchObject({ output_config: { effort: "high" } });
    expect(body("budget on haiku 4.5")).toMatchObject({ thinking: { type: "enabled", budget_tokens: 4096 }, max_tokens: 4096 + 16_000 });
    expect(body("budget on haiku 4.5").output_config).toBeUndefined();
    expect(body("no effort").output_config).toBeUndefined();
    expect(body("no effort").max_tokens).toBe(16_000);
  });
});
