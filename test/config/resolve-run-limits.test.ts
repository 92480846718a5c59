import { describe, expect, it } from "vitest";
import { parseRepoConfig, type RepoConfig } from "../../src/config/repo-config.js";
import { resolveRunLimits } from "../../src/config/resolve-run-limits.js";
import { DEFAULT_RUN_LIMITS } from "../../src/runtime/types.js";

function config(input: unknown): RepoConfig {
  const result = parseRepoConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

const ceilings = { maxConcurrency: 32, maxAgents: 1000, maxConcurrentRuns: 4, maxConcurrencyPerInstallation: 16 };

describe("resolveRunLimits", () => {
  it("passes the repository's caps and budget through when within the ceilings", () => {
    const resolved = resolveRunLimits(
      config({ caps: { maxConcurrency: 8, maxAgents: 200, maxItems: 64, maxTurns: 12, deadlineMinutes: 30 }, budget: { tokens: 5e6, usd: 20 } }),
      ceilings,
    );
    expect(resolved).toEqual({
      limits: { ...DEFAULT_RUN_LIMITS, maxConcurrency: 8, maxAgents: 200, maxItems: 64, budgetTokens: 5e6, budgetUsd: 20 },
      maxTurns: 12,
      deadlineMs: 30 * 60_000,
      clamped: [],
    });
  });

  it("clamps to the deployment's ceilings and says so", () => {
    const resolved = resolveRunLimits(config({ caps: { maxConcurrency: 64, maxAgents: 5000 } }), ceilings);
    expect(resolved.limits.maxConcurrency).toBe(32);
    expect(resolved.limits.maxAgents).toBe(1000);
    expect(resolved.clamped).toEqual(["maxConcurrency 64 → 32", "maxAgents 5000 → 1000"]);
  });
});
