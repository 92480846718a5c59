/**
 * The tool loop with Anthropic's server-side web tools: declared with what is
 * left of the agent's grant, never more; uses counted from the API's usage and
 * priced per use; a paused turn continued as is.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentRequest, reply, startHarness, TEST_PRICE, type Harness } from "./agent-harness.js";
import { costOf } from "../../src/agents/model/index.js";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ "src/a.ts": "export const a = 1;\n" });
});
afterEach(async () => {
  await h.close();
});

const search = (query: string) => ({ tool: "web_search" as const, query, results: [{ url: "https://nodejs.org/api/permissions.html", title: "Permissions" }] });
const webTools = (body: { tools: { name: string; type?: string; max_uses?: number }[] }) => body.tools.filter((t) => t.type !== undefined);

describe("web tools in the tool loop", () => {
  it("declares each tool with the rest of the agent's grant, and stops declaring it once the grant is used", async () => {
    h.script((c) => {
      if (c.turn === 1) return reply.text("searching", { stopReason: "end_turn", serverTools: [search("node permission model v20")] });
      if (c.turn === 2) return reply.toolUse("read_file", { path: "src/a.ts" }, { serverTools: [search("node permission model v22")] });
      return reply.toolUse("finish", { summary: "researched", result: "v22 made it stable" });
    });
    const grant = { search: 2, fetch: 1, allowedDomains: ["nodejs.org"], maxContentTokens: 5000 };
    const result = await h.runner().run(agentRequest("Research the permission model", { web: grant, withoutTools: ["write_file", "edit_file", "delete_file"] }));
    const [first, second, third] = h.conversations();
    expect(webTools(first!.body)).toEqual([
      { type: "web_search_20260318", name: "web_search", max_uses: 2, allowed_callers: ["direct"], allowed_domains: ["nodejs.org"] },
      { type: "web_fetch_20260318", name: "web_fetch", max_uses: 1, allowed_callers: ["direct"], allowed_domains: ["nodejs.org"], max_content_tokens: 5000, cache_control: { type: "ephemeral" } },
    ]);
    expect(webTools(second!.body).map((t) => [t.name, t.max_uses])).toEqual([["web_search", 1], ["web_fetch", 1]]);
    expect(webTools(third!.body).map((t) => [t.name, t.max_uses])).toEqual([["web_fetch", 1]]);
    // The search results went back to the model as they came (server blocks are echoed, not answered).
    expect(second!.body.messages[1].content.map((b: { type: string }) => b.type)).toEqual(["server_tool_use", "web_search_tool_result", "text"]);
    expect(result.meta).toMatchObject({ webSearches: 2 });
    expect(result.meta).not.toHaveProperty("webFetches", 1);
    // Tokens at their price, plus $10 per 1,000 searches.
    const tokens = h.api.requests.reduce((sum, r) => {
      const u = r.usage!;
      return sum + costOf({ input: u.input_tokens, output: u.output_tokens, cacheWrite: u.cache_creation_input_tokens, cacheRead: u.cache_read_input_tokens }, TEST_PRICE);
    }, 0);
    expect(result.costUsd).toBeCloseTo(tokens + 0.02, 10);
  });

  it("offers no web tool without a grant, and none the agent's type leaves out", async () => {
    h.script(() => reply.toolUse("finish", { summary: "s", result: "r" }));
    await h.runner().run(agentRequest("no grant"));
    await h.runner().run(agentRequest("search only", { web: { search: 3, fetch: 3 }, tools: ["read_file", "web_search", "finish"] }, { agentId: "a2" }));
    expect(webTools(h.conversations("no grant")[0]!.body)).toEqual([]);
    expect(webTools(h.conversations("search only")[0]!.body).map((t) => t.name)).toEqual(["web_search"]);
  });

  it("continues a turn the API paused, sending the conversation back without a reply of its own", async () => {
    h.script((c) => {
      if (c.turn === 1) return reply.text("still searching", { stopReason: "pause_turn", serverTools: [search("a")] });
      return reply.toolUse("finish", { summary: "done", result: "ok" });
    });
    const result = await h.runner().run(agentRequest("Long research", { web: { search: 5, fetch: 0 } }));
    const [, second] = h.conversations();
    const messages = second!.body.messages;
    expect(messages).toHaveLength(2);
    expect(messages[1].role).toBe("assistant");
    expect(result.output).toBe("ok");
    expect(result.meta).toMatchObject({ turns: 2, webSearches: 1 });
  });
});
