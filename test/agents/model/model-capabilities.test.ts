import { describe, expect, it } from "vitest";
import { effortParams, planEffort } from "../../../src/agents/model/model-capabilities.js";

describe("effort per model", () => {
  it("sends every level to models that take all five", () => {
    for (const model of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-1", "claude-opus-4-7-20260101"]) {
      expect(planEffort(model, "max")).toEqual({ effort: "max" });
    }
  });

  it("lowers a level a model lacks, adds a budget where effort works with one, and says so", () => {
    expect(planEffort("claude-opus-4-6", "xhigh")).toEqual({ effort: "high", note: expect.stringContaining('lowered to "high"') });
    expect(planEffort("claude-opus-4-5", "max")).toMatchObject({ effort: "high", thinkingBudget: 8192 });
    expect(planEffort("claude-haiku-4-5", "low")).toMatchObject({ thinkingBudget: 2048, note: expect.stringContaining("thinking budget") });
    expect(planEffort("acme-model", "high")).toEqual({ note: expect.stringContaining("does not know") });
  });

  it("raises max_tokens so thinking has room, and keeps the budget below it", () => {
    expect(effortParams("claude-opus-5-5", "max", 16_000)).toEqual({ max_tokens: 64_000, output_config: { effort: "max" } });
    expect(effortParams("claude-opus-5-5", "low", 16_000)).toEqual({ max_tokens: 16_000, output_config: { effort: "low" } });
    const budget = effortParams("claude-sonnet-4-5", "xhigh", 16_000);
    expect(budget).toEqual({ max_tokens: 16_384 + 16_000, thinking: { type: "enabled", budget_tokens: 16_384 } });
    expect(effortParams("claude-opus-5-5", undefined, 16_000)).toEqual({ max_tokens: 16_000 });
  });
});
