import { describe, expect, it } from "vitest";
import type { AgentRequest } from "../../src/runtime/types.js";
import { claimOf, isRole, runBundled, verdict, type Answer } from "./workflow-harness.js";

const FILES = ["packages/api/package.json", "packages/api/src/routes.ts", "packages/web/package.json", "packages/web/src/app.ts"];
const PROBLEM = "missing auth checks on route handlers";

const finding = (line: number, severity: string, title: string) => ({ title, path: "packages/api/src/routes.ts", line, severity, evidence: `router.get(...) at ${line}` });
const API_FINDINGS = [
  finding(3, "high", "GET /users has no session check"),
  finding(9, "critical", "DELETE /users/:id has no session check"),
  finding(12, "low", "GET /health leaks the version"),
];

/** The api finder reports three findings, the web finder fails; refuters uphold :3, refute :9, and cannot run on :12. */
function audit(request: AgentRequest): Answer {
  if (isRole("worker")(request)) {
    if (request.options.label === "find: packages/api") return { output: { findings: API_FINDINGS } };
    return { fail: "model API overloaded" };
  }
  const claim = claimOf(request);
  if (claim.includes("routes.ts:3:")) return verdict("upheld", "routes.ts:3 calls no requireSession");
  if (claim.includes("routes.ts:9:")) return request.options.label?.endsWith("refuter 1") ? verdict("refuted", "app.ts:4 mounts requireSession on /users") : verdict("upheld", "no check");
  return { fail: "refuter crashed" };
}

describe("bundled workflow: audit", () => {
  it("reports only upheld findings, lists unverified ones apart, and counts the refuted", async () => {
    const { outcome } = await runBundled("audit", { args: { problem: PROBLEM, commit: "abc123" }, files: FILES, answer: audit });

    expect(outcome.status).toBe("ok");
    expect(outcome.result).toEqual({
      problem: PROBLEM,
      findings: [{ ...API_FINDINGS[0], module: "packages/api", verification: "upheld", verificationEvidence: "routes.ts:3 calls no requireSession" }],
      unverified: [{ ...API_FINDINGS[2], module: "packages/api", verification: "unverified", reason: expect.stringContaining("could not run") }],
      refuted: 1,
      audited: { modules: ["packages/api"], failed: ["packages/web"], commit: "abc123" },
    });
    expect(outcome.phases).toEqual([
      { title: "Find", agents: 2 },
      { title: "Refute", agents: 6 },
    ]);
  });

  it("gives finders a read-only workspace and refuters a claim naming the place and the problem", async () => {
    const { calls } = await runBundled("audit", { args: PROBLEM, files: FILES, answer: audit });

    const finders = calls.filter(isRole("worker"));
    expect(finders.map((r) => r.options.label).sort()).toEqual(["find: packages/api", "find: packages/web"]);
    for (const finder of finders) {
      expect(finder.options.write).toEqual([]);
      expect(finder.prompt).toContain(PROBLEM);
    }
    expect(finders.find((r) => r.options.label === "find: packages/api")?.prompt).toContain("packages/api/**");

    const refuters = calls.filter(isRole("refuter"));
    // Every finding is refuted independently by the configured two refuters, with no change attached.
    expect(refuters).toHaveLength(6);
    const claims = refuters.map(claimOf);
    expect(claims.filter((c) => c.startsWith("packages/api/src/routes.ts:9: DELETE /users/:id has no session check"))).toHaveLength(2);
    for (const refuter of refuters) {
      expect(claimOf(refuter)).toContain(`This is an instance of: ${PROBLEM}`);
      expect((refuter.options.subject as { change: unknown }).change).toBeNull();
    }
  });

  it("checks the most severe findings first and lists the rest as unverified over maxFindings", async () => {
    const { outcome, calls } = await runBundled("audit", { args: { problem: PROBLEM, maxFindings: 1, refuters: 1 }, files: FILES, answer: audit });

    const refuters = calls.filter(isRole("refuter"));
    expect(refuters.map(claimOf)).toEqual([expect.stringContaining("routes.ts:9:")]);
    const result = outcome.result as { findings: unknown[]; unverified: { line: number; reason: string }[]; refuted: number };
    expect(result.refuted).toBe(1);
    expect(result.findings).toEqual([]);
    expect(result.unverified.map((f) => [f.line, f.reason])).toEqual([
      [3, "not checked: over maxFindings (1)"],
      [12, "not checked: over maxFindings (1)"],
    ]);
  });

  it("audits only the modules asked for", async () => {
    const { calls } = await runBundled("audit", { args: { problem: PROBLEM, modules: ["packages/web"] }, files: FILES, answer: audit });
    expect(calls.map((r) => r.options.label)).toEqual(["find: packages/web"]);
  });

  it("fails with a message saying what to pass when no problem is given", async () => {
    const { outcome, calls } = await runBundled("audit", { args: { modules: ["packages/api"] }, files: FILES, answer: audit });
    expect(outcome.status).toBe("error");
    expect(outcome.error?.message).toContain('audit: say what to look for');
    expect(outcome.error?.file).toBe("workflows/audit.js");
    expect(calls).toEqual([]);
  });
});
