import { describe, expect, it } from "vitest";
import { readAuditResult } from "../../src/audit/read-audit-result.js";

describe("readAuditResult", () => {
  it("keeps well-formed findings, drops and counts malformed ones, and refuses a result that is not an audit's", () => {
    const result = readAuditResult({
      findings: [{ title: "A", path: "a.ts", line: 3.5, severity: "high" }, { title: "", path: "b.ts" }, "not a finding", { title: "C", path: "c.ts" }],
      unverified: [{ title: "D", path: "d.ts", line: 4, evidence: "because", verification: { verdict: "unverified" } }],
      refuted: 2,
    });
    expect(result).toEqual({
      findings: [
        { title: "A", path: "a.ts", line: null, severity: "high" },
        { title: "C", path: "c.ts", line: null, severity: "unknown" },
      ],
      unverified: [{ title: "D", path: "d.ts", line: 4, severity: "unknown", evidence: "because", verification: { verdict: "unverified" } }],
      refuted: 2,
      dropped: 2,
    });
    expect(() => readAuditResult(undefined)).toThrow(expect.objectContaining({ code: "audit_result_invalid" }));
    expect(() => readAuditResult("done")).toThrow(expect.objectContaining({ code: "audit_result_invalid" }));
    expect(() => readAuditResult({ unverified: [] })).toThrow(expect.objectContaining({ code: "audit_result_invalid" }));
    expect(readAuditResult({ findings: [], refuted: -1 })).toEqual({ findings: [], unverified: [], refuted: 0, dropped: 0 });
  });
});
