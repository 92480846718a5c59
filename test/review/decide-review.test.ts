import { describe, expect, it } from "vitest";
import type { Verdict } from "../../src/agents/types.js";
import { decideReview } from "../../src/review/decide-review.js";

const votes = (...verdicts: Verdict[]) => verdicts.map((verdict, i) => ({ verdict, evidence: `${verdict} by ${i + 1}` }));

describe("decideReview", () => {
  it("is refuted by one refuting vote, whatever the others say", () => {
    expect(decideReview(votes("upheld", "upheld", "refuted"))).toEqual({ verdict: "refuted", evidence: "refuted by 3" });
    expect(decideReview(votes("refuted", "unverified")).verdict).toBe("refuted");
  });

  it("numbers the evidence when several refuters refuted, giving identical evidence once", () => {
    expect(decideReview(votes("refuted", "upheld", "refuted")).evidence).toBe("1. refuted by 1\n2. refuted by 3");
    const same = [
      { verdict: "refuted" as const, evidence: "a.ts:1 is wrong" },
      { verdict: "refuted" as const, evidence: " a.ts:1 is wrong\n" },
    ];
    expect(decideReview(same).evidence).toBe("a.ts:1 is wrong");
  });

  it("is upheld when at least half of the refuters (rounded up) upheld", () => {
    expect(decideReview(votes("upheld")).verdict).toBe("upheld");
    expect(decideReview(votes("upheld", "unverified")).verdict).toBe("upheld");
    expect(decideReview(votes("upheld", "upheld", "unverified")).verdict).toBe("upheld");
    expect(decideReview(votes("upheld", "upheld", "unverified", "unverified")).verdict).toBe("upheld");
  });

  it("is unverified when fewer than half upheld and none refuted", () => {
    const decision = decideReview(votes("upheld", "unverified", "unverified"));
    expect(decision.verdict).toBe("unverified");
    expect(decision.evidence).toContain("1 of 3 refuters upheld");
    expect(decideReview(votes("unverified", "unverified")).verdict).toBe("unverified");
  });

  it("never counts unverified votes as upheld or refuted", () => {
    expect(decideReview(votes("unverified")).verdict).toBe("unverified");
    expect(decideReview(votes("unverified", "unverified", "unverified", "upheld")).verdict).toBe("unverified");
  });

  it("is unverified with no votes at all", () => {
    expect(decideReview([])).toEqual({ verdict: "unverified", evidence: "no refuter ran" });
  });
});
