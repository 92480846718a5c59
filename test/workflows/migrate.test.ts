import { describe, expect, it } from "vitest";
import type { AgentRequest } from "../../src/runtime/types.js";
import { fakeChange, isRole, runBundled, verdict, type Answer } from "./workflow-harness.js";

const TASK = "Move every fetchJson caller to client.get";

/** Workers change their target (src/d.ts needs nothing); refuters refute billing's round 1 and every round of src/c.ts. */
function migration(request: AgentRequest): Answer {
  const label = request.options.label ?? "";
  if (isRole("worker")(request)) {
    if (label === "discover targets") {
      return { output: { targets: [{ name: "src/a.ts", write: ["src/a.ts"] }, { name: "src/a.ts", write: ["src/a2.ts"] }, { name: "api", write: ["src/api/**"], why: "calls fetchJson" }] } };
    }
    if (label.startsWith("src/d.ts")) return { output: "nothing to migrate", change: null };
    const slug = label.replace(/[^a-z0-9]+/g, "-");
    return { output: `migrated ${label}`, change: fakeChange(slug, [`${label.split(" ")[0]}`]) };
  }
  if (label.startsWith("src/c.ts")) return verdict("refuted", "src/c.ts:4 still calls fetchJson");
  if (label.startsWith("billing ·") && !label.includes("round 2")) return verdict("refuted", "src/billing/pay.ts:2 still calls fetchJson");
  return verdict("upheld", `checked ${label}`);
}

describe("bundled workflow: migrate", () => {
  it("converges each target in isolation and summarises how each ended", async () => {
    const args = { task: TASK, targets: ["src/a.ts", { name: "billing", write: ["src/billing/**"] }, "src/c.ts", "src/d.ts"], rounds: 2 };
    const { outcome, lines } = await runBundled("migrate", { args, answer: migration });

    expect(outcome.status).toBe("ok");
    const result = outcome.result as { task: string; targets: Record<string, unknown>[]; summary: Record<string, number>; skipped: string[] };
    expect(result.task).toBe(TASK);
    expect(result.targets.map((t) => [t.target, t.status, t.rounds])).toEqual([
      ["src/a.ts", "accepted", 1],
      ["billing", "accepted", 2],
      ["src/c.ts", "refuted", 2],
      ["src/d.ts", "unchanged", 1],
    ]);
    expect(result.targets[1]).toMatchObject({ write: ["src/billing/**"], files: ["billing"], branch: "dynflow/r1/billing-round-2", evidence: expect.stringContaining("checked billing · round 2 · refuter 2") });
    expect(result.targets[2]).toMatchObject({ evidence: expect.stringContaining("src/c.ts:4 still calls fetchJson") });
    expect(result.targets[3]).toMatchObject({ files: [], branch: null });
    expect(result.summary).toEqual({ accepted: 2, refuted: 1, unverified: 0, failed: 0, unchanged: 1, stopped: 0 });
    expect(result.skipped).toEqual([]);
    // The refuted line is not merged; the accepted ones are.
    expect(lines.toMerge.map((m) => m.label)).toEqual(["src/a.ts", "billing"]);
  });

  it("gives each worker the task, its part and its write scope", async () => {
    const { calls } = await runBundled("migrate", { args: { task: TASK, targets: ["src/a.ts", { name: "billing", write: "src/billing/**" }] }, answer: migration });
    const workers = calls.filter(isRole("worker"));
    // billing's first round is refuted, so a second round runs in the same scope.
    expect(workers.map((r) => [r.options.label, r.options.write])).toEqual([
      ["src/a.ts", ["src/a.ts"]],
      ["billing", ["src/billing/**"]],
      ["billing · round 2", ["src/billing/**"]],
    ]);
    expect(workers[1]?.prompt).toContain(TASK);
    expect(workers[1]?.prompt).toContain("Your part: billing. Change only files matching src/billing/**");
  });

  it("makes every module a target with by: module", async () => {
    const files = ["packages/api/package.json", "packages/api/index.ts", "packages/web/package.json"];
    const { calls } = await runBundled("migrate", { args: { task: TASK, by: "module" }, files, answer: migration });
    expect(calls.filter(isRole("worker")).map((r) => [r.options.label, r.options.write])).toEqual([
      ["packages/api", ["packages/api/**"]],
      ["packages/web", ["packages/web/**"]],
    ]);
  });

  it("has a read-only agent discover the targets, dropping a repeated name, and skips those over maxTargets", async () => {
    const { outcome, calls } = await runBundled("migrate", { args: { task: TASK, maxTargets: 1 }, answer: migration });
    expect(calls[0]?.options).toMatchObject({ label: "discover targets", write: [] });
    expect(calls[0]?.prompt).toContain(TASK);
    const result = outcome.result as { targets: { target: string }[]; skipped: string[] };
    expect(result.targets.map((t) => t.target)).toEqual(["src/a.ts"]);
    expect(result.skipped).toEqual(["api"]);
    expect(outcome.phases.map((p) => [p.title, p.agents])).toEqual([
      ["Discover", 1],
      ["Migrate", 3],
    ]);
  });

  it("takes a plain string as the task", async () => {
    const { outcome } = await runBundled("migrate", { args: TASK, answer: migration });
    expect((outcome.result as { task: string }).task).toBe(TASK);
  });
});
