import { describe, expect, it } from "vitest";
import { CI_SECTION_MARKER, renderCiSection, withCiSection } from "../../src/ci/render-ci-section.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("renderCiSection", () => {
  it("shows the state now and every round", () => {
    const section = renderCiSection({
      state: "failed",
      round: 1,
      repairRounds: 1,
      headSha: SHA,
      history: [
        { round: 0, headSha: "aaaaaaaaaa", outcome: "repaired", failing: ["test"] },
        { round: 1, headSha: SHA, outcome: "failed", failing: ["build", "test"] },
      ],
    });
    expect(section).toMatchInlineSnapshot(`
      "<!-- dynflow:ci -->
      ### CI

      ❌ CI failed on \`0123456\`: \`build\`, \`test\`. No repair rounds left (1 allowed); the pull request stays a draft.

      | round | commit | result |
      |---|---|---|
      | 0 | \`aaaaaaa\` | failed round 0: \`test\` → repaired |
      | 1 | \`0123456\` | failed round 1: \`build\`, \`test\` |"
    `);
  });

  it("words waiting, passing and timing out", () => {
    expect(renderCiSection({ state: "waiting", round: 0, repairRounds: 2, headSha: SHA, history: [] })).toContain("⏳ Waiting for CI on `0123456` (repair round 0 of 2).");
    expect(renderCiSection({ state: "passed", round: 2, repairRounds: 2, headSha: SHA, history: [] })).toContain("✅ CI passed on `0123456` after 2 repair rounds.");
    expect(renderCiSection({ state: "timed-out", round: 0, repairRounds: 2, headSha: SHA, history: [{ round: 0, headSha: SHA, outcome: "timed-out", failing: ["test"] }] })).toContain("| 0 | `0123456` | timed out |");
  });

  it("says why a wait was cancelled when it was told", () => {
    const cancelled = { state: "cancelled", round: 0, repairRounds: 2, headSha: SHA } as const;
    expect(renderCiSection({ ...cancelled, history: [] })).toContain("⏹ No longer waiting for CI on `0123456`: the wait was cancelled; the pull request stays a draft.");
    const closed = renderCiSection({ ...cancelled, history: [{ round: 0, headSha: SHA, outcome: "cancelled", failing: [], note: "the pull request was closed." }] });
    expect(closed).toContain("⏹ No longer waiting for CI on `0123456`: the pull request was closed.");
    expect(closed).toContain("| 0 | `0123456` | wait cancelled |");
  });
});

describe("withCiSection", () => {
  it("replaces the section instead of adding another", () => {
    const once = withCiSection("report", `${CI_SECTION_MARKER}\nfirst`, 1000);
    const twice = withCiSection(once, `${CI_SECTION_MARKER}\nsecond`, 1000);
    expect(twice).toBe(`report\n\n${CI_SECTION_MARKER}\nsecond`);
  });

  it("stays within the limit by cutting the body before the section", () => {
    const body = withCiSection("x".repeat(5000), `${CI_SECTION_MARKER}\nstate`, 1000);
    expect(body.length).toBeLessThanOrEqual(1000);
    expect(body.endsWith(`${CI_SECTION_MARKER}\nstate`)).toBe(true);
  });
});
