import { describe, expect, it } from "vitest";
import type { WorkerOutcome } from "../../src/agents/types.js";
import { renderRefutations } from "../../src/report/render-refutations.js";
import { ZERO_USAGE } from "../../src/runtime/types.js";

function worker(label: string, status: WorkerOutcome["status"], extra: Partial<WorkerOutcome> = {}): WorkerOutcome {
  return { label, status, rounds: 1, verdicts: [], change: null, usage: ZERO_USAGE, costUsd: 0.1, ...extra };
}

describe("renderRefutations", () => {
  it("lists merged work that was refuted before, with the evidence escaped", () => {
    const text = renderRefutations([
      worker("a", "accepted", { verdicts: ["upheld"] }),
      worker("search", "accepted", { verdicts: ["refuted", "upheld"], reason: "round 1 was refuted: q is not <encoded>" }),
      worker("auth", "refuted", { verdicts: ["refuted"], reason: "still refuted" }),
    ]);
    expect(text).toBe(
      [
        "### Earlier refutations (1)",
        "",
        "Refuters found these problems; the work was redone with their evidence until upheld, or the plan script accepted it anyway.",
        "",
        "- **search** (refuted → upheld, accepted): round 1 was refuted: q is not &lt;encoded&gt;",
      ].join("\n"),
    );
  });

  it("is null when nothing was refuted and then kept", () => {
    expect(renderRefutations([worker("a", "accepted", { verdicts: ["upheld"] }), worker("b", "refuted", { verdicts: ["refuted"] })])).toBeNull();
  });
});

describe("renderRefutations under shrinking", () => {
  it("lists at most listMax entries and cuts evidence", () => {
    const many = Array.from({ length: 5 }, (_, i) => worker(`m${i}`, "accepted", { verdicts: ["refuted", "upheld"], reason: "x".repeat(500) }));
    const text = renderRefutations(many, { listMax: 2, evidenceMax: 80 }) ?? "";
    expect(text).toContain("- … 3 more");
    expect(text.split("\n").filter((l) => l.startsWith("- **"))).toHaveLength(2);
    expect(text.length).toBeLessThan(600);
  });
});
