import { describe, expect, it } from "vitest";
import type { AgentRequest } from "../../src/runtime/types.js";
import { claimOf, isRole, runBundled, verdict, type Answer } from "./workflow-harness.js";

const PATCH = "@@ -1,3 +1,3 @@\n-  return db.query(sql)\n+  return db.query(sql + id)";

const issue = (path: string, line: number, severity: string, confidence: number, title: string) => ({
  title,
  path,
  line,
  severity,
  confidence,
  evidence: `${path}:${line} ${title}`,
});
const FINDINGS: Record<string, ReturnType<typeof issue>[]> = {
  "src/a.ts": [issue("src/a.ts", 2, "high", 0.6, "error swallowed"), issue("src/a.ts", 7, "low", 0.9, "unused import")],
  "src/b.ts": [issue("src/b.ts", 5, "high", 0.9, "SQL built from input"), issue("src/b.ts", 1, "critical", 0.5, "secret logged"), issue("src/b.ts", 9, "medium", 0.7, "no timeout")],
};

/** Reviewers report FINDINGS; refuters refute "unused import", cannot run on "no timeout", uphold the rest. */
function review(request: AgentRequest): Answer {
  if (isRole("worker")(request)) {
    const path = Object.keys(FINDINGS).find((p) => request.options.label === `review: ${p}`);
    if (path) return { output: { findings: FINDINGS[path] ?? [] } };
    if (request.options.label === "discover changed files") return { output: { files: ["src/a.ts", "src/made-up.ts"] } };
    return { fail: "reviewer failed" };
  }
  const claim = claimOf(request);
  if (claim.includes("unused import")) return verdict("refuted", "src/a.ts:1 uses it");
  if (claim.includes("no timeout")) return { fail: "refuter crashed" };
  return verdict("upheld", "confirmed");
}

describe("bundled workflow: review", () => {
  it("reviews each changed file and returns one list ranked by severity then confidence, without the refuted findings", async () => {
    const args = { files: ["src/a.ts", { path: "src/b.ts", patch: PATCH }, "src/gone.ts"], base: "main", head: "feature" };
    const { outcome } = await runBundled("review", { args, answer: review });

    expect(outcome.status).toBe("ok");
    const result = outcome.result as {
      findings: { path: string; line: number; severity: string; verification: string }[];
      refuted: number;
      reviewed: unknown;
      body: string;
    };
    expect(result.findings.map((f) => [f.severity, f.path, f.line, f.verification])).toEqual([
      ["critical", "src/b.ts", 1, "upheld"],
      ["high", "src/b.ts", 5, "upheld"],
      ["high", "src/a.ts", 2, "upheld"],
      ["medium", "src/b.ts", 9, "unverified"],
    ]);
    expect(result.refuted).toBe(1);
    expect(result.reviewed).toEqual({ files: ["src/a.ts", "src/b.ts"], failed: ["src/gone.ts"], base: "main", head: "feature" });
    expect(outcome.phases.map((p) => [p.title, p.agents])).toEqual([
      ["Discover", 0],
      ["Review", 3],
      ["Refute", 10],
    ]);
  });

  it("renders the list as one comment body, marking unverified findings", async () => {
    const { outcome } = await runBundled("review", { args: { files: ["src/a.ts", "src/b.ts"] }, answer: review });
    const body = (outcome.result as { body: string }).body;
    expect(body).toContain("### Review: 4 finding(s) in 2 file(s)");
    expect(body).toContain("1 more were refuted by independent reviewers");
    expect(body).toContain("1. **[critical] secret logged** — `src/b.ts:1` (confidence 50%)");
    expect(body).toContain("4. **[medium] no timeout** _(unverified)_ — `src/b.ts:9` (confidence 70%)");
    expect(body).not.toContain("unused import");
  });

  it("gives reviewers the file's patch and a read-only workspace", async () => {
    const { calls } = await runBundled("review", { args: { files: ["src/a.ts", { path: "src/b.ts", patch: PATCH }], focus: "SQL injection" }, answer: review });
    const reviewers = calls.filter(isRole("worker"));
    expect(reviewers.map((r) => r.options.write)).toEqual([[], []]);
    const b = reviewers.find((r) => r.options.label === "review: src/b.ts");
    expect(b?.prompt).toContain(PATCH);
    expect(b?.prompt).toContain("Look for SQL injection");
    expect(reviewers.find((r) => r.options.label === "review: src/a.ts")?.prompt).not.toContain("```diff");
  });

  it("without files, has an agent find them and keeps only tracked ones", async () => {
    const { outcome, calls } = await runBundled("review", {
      args: { description: "Retry failed uploads" },
      files: ["src/a.ts", "src/b.ts"],
      answer: review,
    });
    expect(calls[0]?.options).toMatchObject({ label: "discover changed files", write: [] });
    expect(calls[0]?.prompt).toContain("Retry failed uploads");
    expect((outcome.result as { reviewed: { files: string[] } }).reviewed.files).toEqual(["src/a.ts"]);
  });
});
