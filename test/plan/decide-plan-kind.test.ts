import { describe, expect, it } from "vitest";
import { decidePlanKind } from "../../src/plan/decide-plan-kind.js";
import type { RelevantEstimate } from "../../src/plan/estimate-relevant-tokens.js";

const limits = { threshold: 60_000, maxFiles: 200, repositoryFiles: 5_000 };
const estimate = (fields: Partial<RelevantEstimate>): RelevantEstimate => ({
  files: ["a.ts", "b.ts", "c.ts"],
  tokens: 12_345,
  capped: false,
  basis: "task",
  ...fields,
});

describe("decidePlanKind", () => {
  it("gives work that fits in one context to one agent, and says why with the estimate", () => {
    const decision = decidePlanKind(estimate({}), limits);
    expect(decision.kind).toBe("single-agent");
    expect(decision.reason).toContain("the task's 3 relevant files (~12,345 tokens) fit in one agent's context");
    expect(decision.reason).toContain("a fan-out would cost more and converge no better");
  });

  it("counts the threshold itself as fitting", () => {
    expect(decidePlanKind(estimate({ tokens: 60_000 }), limits).kind).toBe("single-agent");
    expect(decidePlanKind(estimate({ tokens: 60_001 }), limits).kind).toBe("model-written");
  });

  it("hands work over the threshold to the model, naming size and threshold", () => {
    const decision = decidePlanKind(estimate({ tokens: 250_000 }), limits);
    expect(decision.kind).toBe("model-written");
    expect(decision.reason).toContain("3 relevant files (~250,000 tokens) exceed");
    expect(decision.reason).toContain("60,000 tokens");
  });

  it("treats a capped estimate as too large even when its lower bound is small", () => {
    const decision = decidePlanKind(estimate({ tokens: 1_000, capped: true }), limits);
    expect(decision.kind).toBe("model-written");
    expect(decision.reason).toContain("more than 200 files are relevant");
  });

  it("says when the whole repository was the estimate, and when the scope is unknown", () => {
    const whole = decidePlanKind(estimate({ basis: "repository" }), limits);
    expect(whole.kind).toBe("single-agent");
    expect(whole.reason).toContain("the whole repository, 3 files (~12,345 tokens), fits");
    const tooBig = decidePlanKind(estimate({ basis: "repository", tokens: 90_000 }), limits);
    expect(tooBig.kind).toBe("model-written");
    expect(tooBig.reason).toContain("the whole repository, 3 files (~90,000 tokens), exceeds");
    const unknown = decidePlanKind(estimate({ basis: "none", files: [], tokens: 0 }), limits);
    expect(unknown.kind).toBe("model-written");
    expect(unknown.reason).toContain("the repository (5,000 files)");
  });
});
