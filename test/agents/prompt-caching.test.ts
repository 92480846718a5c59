import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentRequest, reply, reportedSpend, startHarness, type Conversation, type Harness } from "./agent-harness.js";

const TASK = `Migrate every caller of fetchJson to the new http client. ${"Keep error handling as it is. ".repeat(120)}`;

let h: Harness;
beforeEach(async () => {
  // A visible delay before each response begins, so siblings started together would miss the cache without the hold.
  h = await startHarness({ "src/a.ts": "export const a = 1;\n", "src/b.ts": "export const b = 2;\n" }, { fake: { prefixDelayMs: 40 } });
});
afterEach(async () => {
  await h.close();
});

const twoTurns = (c: Conversation) =>
  c.turn === 1 ? reply.toolUse("read_file", { path: c.agentPrompt.includes("src/a.ts") ? "src/a.ts" : "src/b.ts" }) : reply.toolUse("finish", { summary: "read it", result: "ok" });

describe("prompt caching", () => {
  it("marks tools, system prompt and the shared task block, and keeps them identical across siblings", async () => {
    h.script(twoTurns);
    const runner = h.runner({ task: TASK });
    await Promise.all([
      runner.run(agentRequest("Migrate src/a.ts", { label: "module alpha" }, { agentId: "agent-alpha" })),
      runner.run(agentRequest("Migrate src/b.ts", { label: "module beta" }, { agentId: "agent-beta" })),
    ]);
    const [a, b] = [h.conversations("src/a.ts")[0]!, h.conversations("src/b.ts")[0]!];

    for (const c of [a, b]) {
      expect(c.body.tools.at(-1).cache_control).toEqual({ type: "ephemeral" });
      expect(c.body.tools.slice(0, -1).every((t: { cache_control?: unknown }) => t.cache_control === undefined)).toBe(true);
      expect(c.body.system.at(-1).cache_control).toEqual({ type: "ephemeral" });
      expect(c.body.messages[0].content[0].cache_control).toEqual({ type: "ephemeral" });
      expect(c.body.messages[0].content[0].text).toContain(TASK.trim());
    }
    expect(b.body.tools).toEqual(a.body.tools);
    expect(b.body.system).toEqual(a.body.system);
    expect(b.body.messages[0].content[0]).toEqual(a.body.messages[0].content[0]);
    expect(a.agentPrompt).not.toEqual(b.agentPrompt);
    const shared = JSON.stringify([a.body.tools, a.body.system, a.body.messages[0].content[0]]);
    for (const perAgent of ["module alpha", "agent-alpha", "src/a.ts"]) expect(shared).not.toContain(perAgent);
  });

  it("lets a sibling read the shared prefix the first agent wrote, instead of writing it again", async () => {
    h.script(twoTurns);
    const runner = h.runner({ task: TASK });
    await Promise.all([
      runner.run(agentRequest("Migrate src/a.ts", { label: "module alpha" }, { agentId: "agent-alpha" })),
      runner.run(agentRequest("Migrate src/b.ts", { label: "module beta" }, { agentId: "agent-beta" })),
    ]);
    const firsts = h.api.requests.filter((r) => r.body.messages.length === 1);
    expect(firsts).toHaveLength(2);
    const [writer, reader] = firsts.sort((x, y) => x.index - y.index);
    expect(writer!.usage!.cache_read_input_tokens).toBe(0);
    expect(writer!.usage!.cache_creation_input_tokens).toBeGreaterThan(1024);
    // The sibling reads tools + system + task from the cache and writes only its own part.
    expect(reader!.usage!.cache_read_input_tokens).toBeGreaterThan(1024);
    expect(reader!.usage!.cache_read_input_tokens).toBeLessThan(writer!.usage!.cache_creation_input_tokens);
    expect(reader!.usage!.cache_creation_input_tokens).toBeLessThan(reader!.usage!.cache_read_input_tokens);
  });

  it("sums usage and dollars over every turn, cache writes and reads included", async () => {
    h.script((c) =>
      c.turn < 3 ? reply.toolUse("read_file", { path: "src/a.ts" }) : reply.toolUse("finish", { summary: "done", result: "ok" }),
    );
    const result = await h.runner({ task: TASK }).run(agentRequest("Migrate src/a.ts"));
    const spent = reportedSpend(h.conversations());

    expect(h.conversations()).toHaveLength(3);
    expect(result.usage).toEqual(spent.usage);
    expect(result.costUsd).toBeCloseTo(spent.costUsd, 12);
    expect(result.usage.cacheWrite).toBeGreaterThan(0);
    // Later turns read the shared prefix from the cache, and mark the end of the conversation so the
    // API can cache it turn by turn (the fake checks only explicit breakpoints, so it reports the shared part).
    for (const later of h.conversations().slice(1)) {
      expect(later.request.usage!.cache_read_input_tokens).toBeGreaterThan(1024);
      expect(later.body.messages.at(-1).content.at(-1).cache_control).toEqual({ type: "ephemeral" });
      const markers = JSON.stringify(later.body).split('"cache_control"').length - 1;
      expect(markers).toBe(4);
    }
  });
});
