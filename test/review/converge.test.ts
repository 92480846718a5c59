import { describe, expect, it } from "vitest";
import { MemoryJournal } from "../../src/runtime/journal/memory-journal.js";
import type { AgentRequest } from "../../src/runtime/types.js";
import { claimOf, fakeChange, runWithReview, scriptedRunner, verdict, type Answer } from "./review-harness.js";

/** Workers change `src/<label>`; refuters refute round 1 of "search" and uphold everything else. */
function migration(request: AgentRequest): Answer {
  const label = request.options.label ?? "";
  if (request.options.role === "worker") {
    const round = label.includes("round 2") ? "-2" : "";
    return { output: `migrated ${label}`, change: fakeChange(`${label.split(" ")[0]}${round}`) };
  }
  if (label.startsWith("search ·") && !label.includes("round")) return verdict("refuted", "src/search/query.ts:12 still calls fetchJson");
  return verdict("upheld", `checked ${label}`);
}

const CONVERGE_TWO = `
const results = await parallel(["billing", "search"].map((m) => () => converge("Migrate src/" + m + " to the new client", { label: m, write: ["src/" + m + "/**"] })));
return results.map((r) => ({ status: r.status, rounds: r.rounds, verdict: r.review && r.review.verdict, branch: r.change && r.change.branch }));
`;

describe("converge()", () => {
  it("re-dispatches a refuted worker with the refutation as feedback until it is upheld", async () => {
    const runner = scriptedRunner(migration);
    const { outcome, results } = await runWithReview(CONVERGE_TWO, { runner });

    expect(outcome.status).toBe("ok");
    expect(outcome.result).toEqual([
      { status: "accepted", rounds: 1, verdict: "upheld", branch: "dynflow/r1/billing" },
      { status: "accepted", rounds: 2, verdict: "upheld", branch: "dynflow/r1/search-2" },
    ]);
    const secondRound = runner.calls.find((r) => r.options.role === "worker" && r.options.label === "search · round 2");
    expect(secondRound?.prompt).toContain("Migrate src/search to the new client");
    expect(secondRound?.prompt).toContain("src/search/query.ts:12 still calls fetchJson");
    expect(secondRound?.prompt).toContain("dynflow/r1/search");
    expect(secondRound?.options.write).toEqual(["src/search/**"]);

    expect(results.workers.map((w) => [w.label, w.status, w.rounds, w.verdicts])).toEqual([
      ["billing", "accepted", 1, ["upheld"]],
      ["search", "accepted", 2, ["refuted", "upheld"]],
    ]);
    expect(results.workers[1]?.reason).toBe("round 1 was refuted: src/search/query.ts:12 still calls fetchJson");
    expect(results.toMerge.map((m) => [m.label, m.change.branch])).toEqual([
      ["billing", "dynflow/r1/billing"],
      ["search", "dynflow/r1/search-2"],
    ]);
    // 2 lines: billing (1 worker + 2 refuters), search (2 workers + 4 refuters).
    expect(outcome.stats.total).toBe(9);
    expect(results.workers[1]?.costUsd).toBeCloseTo(0.06);
  });

  it("starts the next round from the refuted round's change, and from the base with fromBase: true", async () => {
    const runner = scriptedRunner(migration);
    await runWithReview(CONVERGE_TWO, { runner });
    const first = runner.calls.find((r) => r.options.label === "search");
    const second = runner.calls.find((r) => r.options.label === "search · round 2");
    expect(first?.options.subject).toBeUndefined();
    expect(second?.options.subject).toEqual({ change: fakeChange("search") });
    expect(second?.prompt).toContain("Your copy starts from that attempt's change");
    expect(second?.prompt).not.toContain("Start again from the base commit");

    const fresh = scriptedRunner(migration);
    await runWithReview(CONVERGE_TWO.replace('label: m,', 'label: m, fromBase: true,'), { runner: fresh });
    const again = fresh.calls.find((r) => r.options.label === "search · round 2");
    expect(again?.options.subject).toBeUndefined();
    expect(again?.prompt).toContain("Start again from the base commit");

    const { outcome } = await runWithReview(`await converge("Fix x", { fromBase: "yes" });`, { runner: scriptedRunner(migration) });
    expect(outcome.status).toBe("error");
    expect(outcome.error?.message).toContain('converge(): opts.fromBase must be true or false, got "yes"');
  });

  it("sends refuters the change and the claim, never the worker's prompt as their own task", async () => {
    const runner = scriptedRunner(migration);
    await runWithReview(CONVERGE_TWO, { runner });
    const refuter = runner.calls.find((r) => r.options.role === "refuter" && r.options.label === "billing · refuter 1");
    expect(refuter?.options.schema).toMatchObject({ required: ["verdict", "evidence"] });
    expect(refuter?.options.subject).toMatchObject({ change: { branch: "dynflow/r1/billing" } });
    expect((refuter?.options.subject as { claim: string }).claim).toContain("Migrate src/billing to the new client");
    expect((refuter?.options.subject as { claim: string }).claim).toContain("migrated billing");
    expect(refuter?.prompt).toMatch(/^Try to refute the claim below/);
  });

  it("stops at the round cap and reports the line refuted, not merged", async () => {
    const runner = scriptedRunner((request) =>
      request.options.role === "worker"
        ? { output: "done", change: fakeChange(`auth${runner.calls.length}`) }
        : verdict("refuted", "session.ts:41 still calls fetchJson"),
    );
    const { outcome, results } = await runWithReview(
      `const r = await converge("Migrate src/auth", { label: "auth", rounds: 2 }); return [r.status, r.rounds];`,
      { runner },
    );
    expect(outcome.result).toEqual(["refuted", 2]);
    expect(runner.calls.filter((r) => r.options.role === "worker")).toHaveLength(2);
    expect(results.workers).toMatchObject([{ label: "auth", status: "refuted", rounds: 2, verdicts: ["refuted", "refuted"] }]);
    expect(results.workers[0]?.reason).toContain("session.ts:41");
    expect(results.toMerge).toEqual([]);
  });

  it("caps the rounds a script asks for at the run's maxRounds, with a warning", async () => {
    const runner = scriptedRunner((request) =>
      request.options.role === "worker" ? { output: "done", change: fakeChange(`x${runner.calls.length}`) } : verdict("refuted", "wrong"),
    );
    const { outcome } = await runWithReview(`return (await converge("Fix x", { rounds: 9 })).rounds;`, {
      runner,
      config: { maxRounds: 2 },
    });
    expect(outcome.result).toBe(2);
    expect(outcome.logs.some((l) => l.includes("9 rounds asked") && l.includes("maxRounds"))).toBe(true);
  });

  it("reports a failed worker as failed, with the agent's error", async () => {
    const runner = scriptedRunner((request) => (request.options.role === "worker" ? { fail: "model overloaded after 5 attempts" } : verdict("upheld", "ok")));
    const { outcome, results } = await runWithReview(`const r = await converge("Migrate src/legacy", { label: "legacy" }); return [r.status, r.change];`, {
      runner,
    });
    expect(outcome.result).toEqual(["failed", null]);
    expect(results.workers).toMatchObject([{ label: "legacy", status: "failed", rounds: 1, verdicts: [] }]);
    expect(results.workers[0]?.reason).toContain("model overloaded after 5 attempts");
    expect(runner.calls.some((r) => r.options.role === "refuter")).toBe(false);
  });

  it("refutes a worker's claim that nothing needed changing, and ends unchanged only when refuters uphold it", async () => {
    const runner = scriptedRunner((request) => (request.options.role === "worker" ? { output: "nothing calls fetchJson here" } : verdict("upheld", "searched src/docs: no fetchJson")));
    const { outcome, results } = await runWithReview(
      `const r = await converge("Migrate src/docs", { label: "docs" }); return [r.status, r.change.branch, r.change.files.length, r.change.summary, r.review.verdict];`,
      { runner },
    );
    expect(outcome.result).toEqual(["unchanged", null, 0, "nothing calls fetchJson here", "upheld"]);
    const refuters = runner.calls.filter((r) => r.options.role === "refuter");
    expect(refuters).toHaveLength(2);
    // The refuters check the claim that nothing needed changing, against the repository itself (no change).
    expect(refuters[0]?.options.subject).toMatchObject({ change: null });
    expect(claimOf(refuters[0]!)).toContain("The repository needs no change for the following task");
    expect(claimOf(refuters[0]!)).toContain("Migrate src/docs");
    expect(results.lines).toMatchObject([{ label: "docs", status: "unchanged", reason: "nothing calls fetchJson here", verdicts: ["upheld"] }]);
    expect(results.workers).toEqual([]);
    expect(results.toMerge).toEqual([]);
  });

  it("redoes a lazy worker whose 'nothing to change' is refuted, and merges the change of the next round", async () => {
    const runner = scriptedRunner((request) => {
      const label = request.options.label ?? "";
      if (request.options.role === "worker") return label.includes("round 2") ? { output: "migrated", change: fakeChange("docs-2") } : { output: "nothing to do here" };
      return label.startsWith("docs · refuter") ? verdict("refuted", "src/docs/api.ts:4 still calls fetchJson") : verdict("upheld", "no fetchJson left");
    });
    const { outcome, results } = await runWithReview(`const r = await converge("Migrate src/docs", { label: "docs" }); return [r.status, r.rounds];`, { runner });
    expect(outcome.result).toEqual(["accepted", 2]);
    const second = runner.calls.find((r) => r.options.label === "docs · round 2");
    expect(second?.prompt).toContain("src/docs/api.ts:4 still calls fetchJson");
    // Nothing to continue from: the round starts from the base.
    expect(second?.options.subject).toBeUndefined();
    expect(second?.prompt).toContain("Start again from the base commit");
    expect(results.workers).toMatchObject([{ label: "docs", status: "accepted", rounds: 2, verdicts: ["refuted", "upheld"] }]);
    expect(results.toMerge.map((m) => m.change.branch)).toEqual(["dynflow/r1/docs-2"]);
  });

  it("reports a line still refuted when every round said nothing needed changing", async () => {
    const runner = scriptedRunner((request) => (request.options.role === "worker" ? { output: "nothing to do" } : verdict("refuted", "src/docs/api.ts:4 still calls fetchJson")));
    const { outcome, results } = await runWithReview(`const r = await converge("Migrate src/docs", { label: "docs", rounds: 2 }); return r.status;`, { runner });
    expect(outcome.result).toBe("refuted");
    expect(results.workers).toMatchObject([{ label: "docs", status: "refuted", change: null, verdicts: ["refuted", "refuted"] }]);
    expect(results.workers[0]?.reason).toContain("src/docs/api.ts:4");
    expect(results.lines.some((l) => l.status === "unchanged")).toBe(false);
  });

  it("does not count a worker() that changed nothing and that nobody refuted as converged", async () => {
    const runner = scriptedRunner(() => ({ output: "nothing to do" }));
    const { results } = await runWithReview(`await worker("Migrate src/docs", { label: "docs" });`, { runner });
    expect(results.workers).toMatchObject([{ label: "docs", status: "unreviewed", change: null }]);
    expect(results.workers[0]?.reason).toContain("no refuter checked that claim");
    expect(results.toMerge).toEqual([]);
  });

  it("keeps an unverified change when no refuter could run, and merges it", async () => {
    const runner = scriptedRunner((request) =>
      request.options.role === "worker" ? { output: "done", change: fakeChange("reports") } : { fail: "529 overloaded" },
    );
    const { outcome, results } = await runWithReview(`return (await converge("Migrate src/reports", { label: "reports" })).status;`, { runner });
    expect(outcome.result).toBe("unverified");
    expect(results.workers).toMatchObject([{ label: "reports", status: "unverified", verdicts: ["unverified"] }]);
    expect(results.toMerge.map((m) => m.label)).toEqual(["reports"]);
  });

  it("rebuilds identical outcomes on replay from the journal without calling the runner", async () => {
    const journal = new MemoryJournal();
    const first = await runWithReview(CONVERGE_TWO, { runner: scriptedRunner(migration), journal });
    const silent = scriptedRunner(() => {
      throw new Error("replay must not start an agent");
    });
    const replay = await runWithReview(CONVERGE_TWO, { runner: silent, journal });

    expect(silent.calls).toHaveLength(0);
    expect(replay.outcome.stats.cached).toBe(9);
    expect(replay.outcome.result).toEqual(first.outcome.result);
    expect(replay.results).toEqual(first.results);
  });
});
