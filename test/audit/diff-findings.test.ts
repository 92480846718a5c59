import { describe, expect, it } from "vitest";
import { diffFindings } from "../../src/audit/diff-findings.js";
import { fingerprintFinding } from "../../src/audit/fingerprint-finding.js";
import type { AuditFinding } from "../../src/audit/types.js";

const sqlInjection: AuditFinding = { title: "SQL injection in getUser", path: "src/db/users.ts", line: 42, severity: "high" };

describe("diffFindings", () => {
  const xss: AuditFinding = { title: "Reflected XSS in search", path: "src/web/search.ts", line: 10, severity: "medium" };
  const secret: AuditFinding = { title: "Hard-coded API key", path: "config/prod.ts", line: 3, severity: "critical" };

  it("marks findings new or existing and lists the fingerprints no longer found as fixed", () => {
    const previous = [fingerprintFinding(sqlInjection), fingerprintFinding(secret)];
    const diff = diffFindings(previous, [{ ...sqlInjection, line: 50 }, xss]);
    expect(diff.findings.map((finding) => [finding.title, finding.status])).toEqual([
      ["SQL injection in getUser", "existing"],
      ["Reflected XSS in search", "new"],
    ]);
    expect(diff.fixed).toEqual([fingerprintFinding(secret)]);
    expect(diff.fingerprints).toEqual([fingerprintFinding(sqlInjection), fingerprintFinding(xss)]);
  });

  it("does not call an unverified finding fixed, and remembers it", () => {
    const diff = diffFindings([fingerprintFinding(secret), fingerprintFinding(xss)], [], [secret]);
    expect(diff.fixed).toEqual([fingerprintFinding(xss)]);
    expect(diff.fingerprints).toEqual([fingerprintFinding(secret)]);
    expect(diffFindings(diff.fingerprints, [secret]).findings[0]?.status).toBe("existing");
  });

  it("remembers a fingerprint once even when two findings share it", () => {
    const diff = diffFindings([], [sqlInjection, { ...sqlInjection, line: 90 }]);
    expect(diff.findings).toHaveLength(2);
    expect(diff.fingerprints).toEqual([fingerprintFinding(sqlInjection)]);
    expect(diffFindings([], []).fixed).toEqual([]);
  });
});
