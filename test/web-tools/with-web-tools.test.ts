import { describe, expect, it } from "vitest";
import type { AgentRequest, AgentResult, WebToolsGrant } from "../../src/runtime/types.js";
import { DEFAULT_WEB_TOOLS, type WebToolsConfig } from "../../src/web-tools/web-tools-config.js";
import { withWebTools } from "../../src/web-tools/with-web-tools.js";

const config = (over: Partial<WebToolsConfig>): WebToolsConfig => ({ ...DEFAULT_WEB_TOOLS, ...over });
const request = (id: string, role: AgentRequest["options"]["role"] = "worker"): AgentRequest => ({
  runId: "r",
  agentId: id,
  key: id,
  label: id,
  prompt: "p",
  options: { role },
  attempt: 1,
  validate: () => ({ ok: true }),
  signal: new AbortController().signal,
});
const answer = (meta: AgentResult["meta"] = {}): AgentResult => ({ output: "ok", usage: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 }, costUsd: 0, meta });

describe("withWebTools", () => {
  it("grants nothing when no web tool is on (the default)", async () => {
    const seen: (WebToolsGrant | undefined)[] = [];
    const runner = withWebTools({ run: async (r) => (seen.push(r.options.web), answer()) }, DEFAULT_WEB_TOOLS);
    await runner.run(request("a1"));
    expect(seen).toEqual([undefined]);
  });

  it("grants each agent at most its share of what the run has left, and takes back what it did not use", async () => {
    const grants: (WebToolsGrant | undefined)[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const runner = withWebTools(
      {
        async run(r) {
          grants.push(r.options.web);
          if (r.agentId === "a1") await held;
          return answer({ webSearches: r.agentId === "a1" ? 1 : 3 });
        },
      },
      config({ search: true, maxSearches: 7, maxUsesPerAgent: 3, allowedDomains: ["nodejs.org"] }),
    );
    const first = runner.run(request("a1"));
    await runner.run(request("a2"));
    await runner.run(request("a3"));
    // 7 - 3 (a1, running) - 3 (a2, used 3) = 1 left for a3.
    expect(grants.map((g) => g?.search)).toEqual([3, 3, 1]);
    expect(grants[0]).toMatchObject({ fetch: 0, allowedDomains: ["nodejs.org"], maxContentTokens: 25_000 });
    release();
    await first;
    // a1 used 1 of 3: 2 come back; a3 was granted 1 and (by its meta) used 3, which cannot be more than granted.
    expect(runner.pool.searchesLeft()).toBe(2);
    await runner.run(request("a4"));
    expect(grants[3]?.search).toBe(2);
  });

  it("keeps the cap hard when an agent fails (its uses are not known), and gives resolvers nothing", async () => {
    const grants: (WebToolsGrant | undefined)[] = [];
    const runner = withWebTools(
      {
        async run(r) {
          grants.push(r.options.web);
          if (r.agentId === "a1") throw new Error("model error");
          return answer();
        },
      },
      config({ search: true, fetch: true, maxSearches: 4, maxFetches: 2, maxUsesPerAgent: 3 }),
    );
    await expect(runner.run(request("a1"))).rejects.toThrow("model error");
    await runner.run(request("r1", "resolver"));
    await runner.run(request("a2"));
    expect(grants).toEqual([expect.objectContaining({ search: 3, fetch: 2 }), undefined, expect.objectContaining({ search: 1, fetch: 0 })]);
  });
});
