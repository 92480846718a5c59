import { describe, expect, it } from "vitest";
import { fingerprintFinding, parseFingerprint } from "../../src/audit/fingerprint-finding.js";
import type { AuditFinding } from "../../src/audit/types.js";

const sqlInjection: AuditFinding = { title: "SQL injection in getUser", path: "src/db/users.ts", line: 42, severity: "high", evidence: "query built by concatenation" };

describe("fingerprintFinding", () => {
  it("keeps a finding's identity when it moves, is reworded in case or markup, or cites its line", () => {
    const base = fingerprintFinding(sqlInjection);
    expect(fingerprintFinding({ ...sqlInjection, line: 47, evidence: "different words" })).toBe(base);
    expect(fingerprintFinding({ ...sqlInjection, line: null })).toBe(base);
    expect(fingerprintFinding({ ...sqlInjection, title: "SQL Injection in `getUser()`" })).toBe(base);
    expect(fingerprintFinding({ ...sqlInjection, title: "SQL injection in getUser (line 42)" })).toBe(base);
    expect(fingerprintFinding({ ...sqlInjection, title: "SQL injection in getUser at L42" })).toBe(base);
    expect(fingerprintFinding({ ...sqlInjection, path: "./src/db/users.ts", severity: "High" })).toBe(base);
    expect(fingerprintFinding({ ...sqlInjection, path: "src\\db\\users.ts" })).toBe(base);
  });

  it("tells different findings apart by file, title words and severity", () => {
    const base = fingerprintFinding(sqlInjection);
    expect(fingerprintFinding({ ...sqlInjection, path: "src/db/orders.ts" })).not.toBe(base);
    expect(fingerprintFinding({ ...sqlInjection, title: "SQL injection in getOrder" })).not.toBe(base);
    expect(fingerprintFinding({ ...sqlInjection, severity: "critical" })).not.toBe(base);
    // Numbers that are not line references are part of the title.
    expect(fingerprintFinding({ ...sqlInjection, title: "Uses CVE-2021-44228 vulnerable log4j" })).not.toBe(
      fingerprintFinding({ ...sqlInjection, title: "Uses CVE-2021-45046 vulnerable log4j" }),
    );
  });

  it("is readable: severity, path and title words can be read back", () => {
    const fingerprint = fingerprintFinding({ ...sqlInjection, path: "odd|name.ts", title: "Open redirect | via `next`!" });
    expect(parseFingerprint(fingerprint)).toEqual({ severity: "high", path: "odd|name.ts", title: "open redirect via next" });
    expect(parseFingerprint("not a fingerprint")).toBeNull();
  });
});
