import { describe, expect, it } from "vitest";
import { renderReport } from "../../src/report/render-report.js";
import { buildReportModel } from "../../src/run/build-report-model.js";
import { BASE, fakeChange, claimOf, runWithReview, scriptedRunner, verdict, type Answer } from "./review-harness.js";
import type { AgentRequest } from "../../src/runtime/types.js";

/** Workers change `src/<label>`; refuters refute claims about "b" and uphold the rest. */
function byLabel(request: AgentRequest): Answer {
  const label = request.options.label ?? "";
  if (request.options.role === "worker") return { output: `did ${label}`, change: fakeChange(label) };
  return claimOf(request).includes("Fix b") ? verdict("refuted", "b.ts:3 is wrong") : verdict("upheld", "looked fine");
}

describe("worker(), refute(), accept(), discard()", () => {
  it("records the script's decisions and merges accepted, unreviewed and unverified changes only", async () => {
    const runner = scriptedRunner(byLabel);
    const { outcome, results } = await runWithReview(
      `
const a = await worker("Fix a", { label: "a" });
const b = await worker("Fix b", { label: "b" });
const c = await worker("Fix c", { label: "c" });
const d = await worker("Fix d", { label: "d" });
const rb = await refute(b);
await accept(b);
await discard(c, "duplicate of a");
const rd = await refute(d, { refuters: 3, instructions: "Run the d tests." });
return { a: [a.id, a.line, a.round, a.branch, a.files.length, a.summary], rb: rb.verdict, votes: rb.votes, rd: [rd.verdict, rd.votes.length] };
`,
      { runner },
    );
    expect(outcome.status).toBe("ok");
    expect(outcome.result).toEqual({
      a: ["w1.1", "w1", 1, "dynflow/r1/a", 1, "did a"],
      rb: "refuted",
      votes: [
        { verdict: "refuted", evidence: "b.ts:3 is wrong" },
        { verdict: "refuted", evidence: "b.ts:3 is wrong" },
      ],
      rd: ["upheld", 3],
    });
    expect(results.workers.map((w) => [w.label, w.status, w.verdicts])).toEqual([
      ["a", "unreviewed", []],
      ["b", "accepted", ["refuted"]],
      ["c", "discarded", []],
      ["d", "accepted", ["upheld"]],
    ]);
    expect(results.workers[1]?.reason).toContain("accepted by the plan script although refuted");
    const dRefuters = runner.calls.filter((r) => r.options.label?.startsWith("d · refuter"));
    expect(dRefuters.map((r) => r.options.label)).toEqual(["d · refuter 1", "d · refuter 2", "d · refuter 3"]);
    expect(dRefuters[0]?.prompt).toMatch(/Also:\nRun the d tests\.$/);
    expect(results.workers[2]?.reason).toBe("duplicate of a");
    expect(results.toMerge.map((m) => m.label)).toEqual(["a", "b", "d"]);
  });

  it("keeps a worker's change unreviewed until a refuter looks at it, and a refuted one out of the merge", async () => {
    const runner = scriptedRunner(byLabel);
    const { results } = await runWithReview(`const b = await worker("Fix b", { label: "b" }); await refute(b);`, { runner });
    expect(results.workers).toMatchObject([{ label: "b", status: "refuted", verdicts: ["refuted"], reason: "b.ts:3 is wrong" }]);
    expect(results.toMerge).toEqual([]);
  });

  it("counts plain agent() calls that changed files as unreviewed lines, in call order", async () => {
    const runner = scriptedRunner((request) =>
      request.options.label === "survey" ? { output: "listed" } : { output: "done", change: fakeChange(request.options.label ?? "x") },
    );
    const { results } = await runWithReview(
      `await agent("List modules", { label: "survey" }); await agent("Edit e", { label: "e" }); await worker("Fix f", { label: "f" });`,
      { runner },
    );
    expect(results.workers.map((w) => [w.label, w.status])).toEqual([
      ["e", "unreviewed"],
      ["f", "unreviewed"],
    ]);
    expect(results.toMerge.map((m) => m.change.branch)).toEqual(["dynflow/r1/e", "dynflow/r1/f"]);
  });

  it("refutes a claim with no change over the base commit", async () => {
    const runner = scriptedRunner(() => verdict("upheld", "every route calls requireAuth"));
    const { outcome, results } = await runWithReview(
      `return await refute({ claim: "Every route handler checks authentication", label: "auth audit" }, { refuters: 1 });`,
      { runner },
    );
    expect(outcome.result).toEqual({
      verdict: "upheld",
      votes: [{ verdict: "upheld", evidence: "every route calls requireAuth" }],
      evidence: "every route calls requireAuth",
    });
    expect(runner.calls[0]?.options).toMatchObject({
      role: "refuter",
      label: "auth audit · refuter 1",
      subject: { change: null, claim: "Every route handler checks authentication" },
    });
    expect(runner.calls[0]?.prompt).toMatch(/^Try to refute the claim below/);
    expect(results.workers).toEqual([]);
  });

  it("gives each line a unique label", async () => {
    const runner = scriptedRunner(() => ({ output: "done", change: fakeChange(`s${runner.calls.length}`) }));
    const { results } = await runWithReview(`await worker("Fix it", { label: "x" }); await worker("Fix it again", { label: "x" });`, { runner });
    expect(results.workers.map((w) => w.label)).toEqual(["x", "x (2)"]);
    expect(results.toMerge.map((m) => m.label)).toEqual(["x", "x (2)"]);
  });
});

describe("argument checks", () => {
  const cases: [string, RegExp][] = [
    [`await worker(42)`, /worker\(prompt, opts\): prompt must be a non-empty string, got number/],
    [`await refute("it is fine")`, /refute\(target, opts\): target must be a change from worker\(\) or converge\(\), or \{ claim: string \}/],
    [`await refute({ claim: "x" }, { refuters: 0 })`, /refute\(\): opts.refuters must be a whole number from 1 to 16/],
    [`await accept({ id: 1 })`, /accept\(change\): expected a change returned by worker\(\) or converge\(\)/],
    [`await accept({ id: "w7.1", line: "w7" })`, /accept\(change\): not a change of this run/],
    [`await converge("x", { rounds: 1.5 })`, /converge\(\): opts.rounds must be a whole number from 1 to 10/],
    [`await repo.files(3)`, /repo.files\(glob\): glob must be a string/],
  ];
  it.each(cases)("%s fails the run with a clear error", async (source, message) => {
    const runner = scriptedRunner(() => ({ output: "done" }));
    const { outcome } = await runWithReview(source, { runner });
    expect(outcome.status).toBe("error");
    expect(outcome.error?.code).toBe("invalid_call");
    expect(outcome.error?.message).toMatch(message);
    expect(runner.calls).toHaveLength(0);
  });

  it("warns about unknown worker options and ignores them", async () => {
    const runner = scriptedRunner(() => ({ output: "done" }));
    const { outcome } = await runWithReview(`await worker("x", { speed: "fast" })`, { runner });
    expect(outcome.status).toBe("ok");
    expect(outcome.logs).toContain('worker(): unknown option "speed" ignored (see docs/plan-api.md)');
  });
});

describe("a plain agent() call that fails", () => {
  it("is reported as failed with its reason, bounded and neutralised", async () => {
    const long = `model said: @octocat see #12 <script>${"x".repeat(5_000)}`;
    const runner = scriptedRunner((request) => (request.options.label === "lookup" ? { fail: long } : { output: "ok" }));
    const { outcome, results } = await runWithReview(`await agent("Look something up", { label: "lookup" }); await agent("Say hi", { label: "hi" });`, { runner });
    expect(results.workers).toMatchObject([{ label: "lookup", status: "failed", change: null }]);
    const reason = results.workers[0]?.reason ?? "";
    expect(reason).toContain("model said");
    expect(reason.length).toBeLessThanOrEqual(2_000);

    const model = buildReportModel({
      runId: "r1",
      task: "t",
      repository: "acme/shop",
      base: { commit: BASE, branch: "main" },
      script: "",
      outcome,
      lines: results.lines,
      workers: results.workers,
      reconcile: null,
      extra: [],
      wallMs: 1,
    });
    const report = renderReport(model);
    expect(report).toContain("### Failed (1)");
    expect(report).toContain("model said: @&#8203;octocat see #\u200b12 &lt;script&gt;");
    expect(report).not.toContain("x".repeat(2_001));
  });
});
