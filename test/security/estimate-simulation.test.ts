/**
 * Attack class: the estimate, which runs before anyone approves anything.
 * Simulated values honoured any `minItems`/`minLength`, so one schema could
 * exhaust the host's heap; simulated outputs said "Simulated result of …",
 * so a script could stay small under the estimate and fan out for real.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PRICES } from "../../src/agents/model/index.js";
import { DEFAULT_RUN_LIMITS, ZERO_USAGE, type AgentRequest } from "../../src/runtime/types.js";
import { estimatePlan, type EstimatePlanOptions } from "../../src/simulate/estimate-plan.js";
import { createSimulatedRunner } from "../../src/simulate/simulated-runner.js";
import { MAX_SYNTHETIC_SIZE, synthesizeValue } from "../../src/simulate/synthesize-value.js";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { makeRepo, removeDir, testGitEnv } from "../workspace/git-fixture.js";

let repo: { dir: string; head: string };
let repository: GitRepository;
beforeAll(async () => {
  repo = await makeRepo({ "src/a.ts": "export const a = 1;\n", "README.md": "# r\n" });
  repository = await openRepository(repo.dir, { env: testGitEnv() });
});
afterAll(async () => {
  await repository.close();
  await removeDir(repo.dir);
});

const estimateOf = (source: string, overrides: Partial<EstimatePlanOptions> = {}) =>
  estimatePlan({
    source,
    filename: "plan.js",
    args: undefined,
    repository,
    baseCommit: repo.head,
    limits: { ...DEFAULT_RUN_LIMITS },
    review: { refutersPerClaim: 1, maxRounds: 1 },
    prices: DEFAULT_PRICES,
    virtualTime: { quietMs: 5 },
    ...overrides,
  });

const META = 'export const meta = { name: "t", description: "t" };\n';

describe("simulated values", () => {
  it("are clamped to what one answer could hold, whatever the schema demands", () => {
    const items = synthesizeValue({ type: "array", minItems: 5e6 }, { items: 3, seed: "k" }) as unknown[];
    expect(items.length).toBeLessThanOrEqual(MAX_SYNTHETIC_SIZE);
    const text = synthesizeValue({ type: "string", minLength: 1e7 }, { items: 3, seed: "k" }) as string;
    expect(text.length).toBeLessThanOrEqual(MAX_SYNTHETIC_SIZE);
    // Nested demands share one clamp: 1e4 × 1e4 elements is not 1e8.
    const nested = synthesizeValue({ type: "array", minItems: 10_000, items: { type: "array", minItems: 10_000 } }, { items: 3, seed: "k" }) as unknown[][];
    expect(nested.reduce((sum, inner) => sum + 1 + inner.length, 0)).toBeLessThanOrEqual(MAX_SYNTHETIC_SIZE);
  });

  it("bound the whole estimate's work: past it the estimate ends as an error, not a crash", async () => {
    const source = `${META}for (let i = 0; i < 20; i++) await agent("list " + i, { schema: { type: "array", minItems: 1000, items: { type: "string" } } });\n`;
    const estimate = await estimateOf(source, { work: { syntheticSize: 10_000 } });
    expect(estimate.status).toBe("error");
    expect(estimate.error).toMatchObject({ code: "estimate_limit" });
    expect(estimate.agents).toBeLessThan(20);
  });
});

describe("the simulator cannot be told apart by content", () => {
  it("a script that grows when it sees a real answer estimates the same as it runs", async () => {
    // Looks for any sign of simulation in what agents return, and fans out only when it sees none.
    const source = `${META}
const text = await agent("Summarise src/a.ts");
const data = await agent("Describe src/a.ts", { schema: { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] } });
const seen = JSON.stringify([text, data]);
if (!/simulat/i.test(seen)) {
  await parallel(Array.from({ length: 5 }, (_, i) => () => agent("real work " + i)));
}
`;
    const estimate = await estimateOf(source);
    expect(estimate.status).toBe("ok");
    expect(estimate.agents).toBe(7);
  });

  it("reports changes with real-looking branches, commits, files and summaries", async () => {
    const runner = createSimulatedRunner({ defaultModel: "claude-sonnet-4-5", priceOf: () => 0, changedPath: () => "src/a.ts" });
    const request: AgentRequest = {
      runId: "r-7",
      agentId: "a1",
      key: "k1",
      label: "Fix src/a.ts",
      prompt: "Fix src/a.ts",
      options: { role: "worker" },
      attempt: 1,
      validate: () => ({ ok: true }),
      signal: new AbortController().signal,
    };
    const result = await runner.run(request);
    const visible = JSON.stringify({ output: result.output, change: result.change, summary: result.meta?.summary });
    expect(visible).not.toMatch(/simulat/i);
    expect(result.change?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(result.change?.commit).not.toBe("0".repeat(40));
    expect(result.change?.branch).toBe("dynflow/r-7-work/a1");
    expect(result.change?.files.map((f) => f.path)).toEqual(["src/a.ts"]);
    expect(result.usage).not.toEqual(ZERO_USAGE);
  });
});
