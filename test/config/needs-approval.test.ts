import { describe, expect, it } from "vitest";
import { needsApproval } from "../../src/config/needs-approval.js";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.js";

const small = { agents: 10, tokens: 200_000, usd: 1.2 };

describe("needsApproval", () => {
  it("follows always and never whatever the size", () => {
    expect(needsApproval("always", small).required).toBe(true);
    expect(needsApproval("never", { agents: 5000, tokens: 1e9, usd: 1e4 })).toEqual({ required: false });
  });

  it("by default asks above 25 agents or 1.5M tokens, not at them", () => {
    const policy = DEFAULT_REPO_CONFIG.approval;
    expect(needsApproval(policy, small)).toEqual({ required: false });
    expect(needsApproval(policy, { agents: 25, tokens: 1_500_000, usd: 100 })).toEqual({ required: false });
    expect(needsApproval(policy, { agents: 26, tokens: 10, usd: 0 })).toEqual({
      required: true,
      reasons: ["about 26 agents, above the approval threshold of 25"],
    });
    expect(needsApproval(policy, { agents: 1, tokens: 1_500_001, usd: 0 })).toEqual({
      required: true,
      reasons: ["about 1,500,001 tokens, above the approval threshold of 1,500,000"],
    });
  });

  it("gives one reason per threshold crossed, dollars included", () => {
    const decision = needsApproval({ aboveAgents: 5, aboveUsd: 1 }, { agents: 6, tokens: 0, usd: 2.5 });
    expect(decision).toEqual({
      required: true,
      reasons: ["about 6 agents, above the approval threshold of 5", "about $2.50, above the approval threshold of $1.00"],
    });
  });
});
