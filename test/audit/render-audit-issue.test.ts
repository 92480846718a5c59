import { describe, expect, it } from "vitest";
import { diffFindings } from "../../src/audit/diff-findings.js";
import { AuditIssueInputError } from "../../src/audit/errors.js";
import { fingerprintFinding } from "../../src/audit/fingerprint-finding.js";
import { renderAuditIssue, type RenderAuditIssueInput } from "../../src/audit/render-audit-issue.js";
import type { AuditFinding } from "../../src/audit/types.js";

const SHA = "9c6f2f1a0e3b4d5c6e7f8091a2b3c4d5e6f70812";
const sqlInjection: AuditFinding = {
  title: "SQL injection in getUser",
  path: "src/db/users.ts",
  line: 42,
  severity: "high",
  evidence: "The id is concatenated into the query:\nconst q = `SELECT * FROM users WHERE id = ${id}`",
  verification: { verdict: "upheld", upheld: 2, refuters: 2 },
};
const secret: AuditFinding = { title: "Hard-coded API key", path: "config/prod.ts", line: 3, severity: "critical", verification: "upheld" };
const oldRedirect: AuditFinding = { title: "Open redirect in login", path: "src/web/login.ts", line: 88, severity: "medium" };

function input(overrides: Partial<RenderAuditIssueInput> = {}): RenderAuditIssueInput {
  const diff = diffFindings([fingerprintFinding(secret), fingerprintFinding(oldRedirect)], [sqlInjection, secret]);
  return {
    auditName: "weekly-security",
    repository: { owner: "acme", repo: "widgets" },
    commit: SHA,
    findings: diff.findings,
    unverified: [{ title: "Possible timing attack in token compare", path: "src/auth/token.ts", line: 17, severity: "low" }],
    fixed: diff.fixed,
    refuted: 3,
    runUrl: "https://dynflow.acme.test/runs/r-7f3a",
    serverUrl: "https://github.com",
    ...overrides,
  };
}

describe("renderAuditIssue", () => {
  it("renders the findings table, the unverified findings and what was fixed", () => {
    const { title, body } = renderAuditIssue(input());
    expect(title).toBe("dynflow audit weekly-security: 2 findings (1 new)");
    expect(body.startsWith("<!-- dynflow:audit name=weekly-security -->\n")).toBe(true);
    expect(body).toMatchSnapshot();
  });

  it("links every location to its line at the audited commit, on any GitHub server", () => {
    const { body } = renderAuditIssue(input({ serverUrl: "https://ghe.acme.test/", commit: SHA.toUpperCase() }));
    expect(body).toContain(`[\`src/db/users.ts:42\`](https://ghe.acme.test/acme/widgets/blob/${SHA}/src/db/users.ts#L42)`);
    expect(body).toContain(`(https://ghe.acme.test/acme/widgets/blob/${SHA}/src/auth/token.ts#L17)`);
    expect(body).toContain(`(https://ghe.acme.test/acme/widgets/commit/${SHA})`);
    expect(body).not.toContain("github.com");
  });

  it("escapes what the model wrote, and links no path that leaves the repository", () => {
    const hostile: AuditFinding = {
      title: "<img src=x onerror=alert(1)> | @security-team -->",
      path: "../../../other/repo/x.ts",
      line: 1,
      severity: "high</td>",
      evidence: "<!-- hide the rest\n| fake | row |",
      verification: "upheld by @someone",
    };
    const { body } = renderAuditIssue(input({ findings: diffFindings([], [hostile]).findings, unverified: [], fixed: [] }));
    expect(body).not.toContain("<img");
    expect(body).not.toContain("<!-- hide");
    expect(body).not.toContain("</td>");
    expect(body).not.toMatch(/@security-team|@someone/);
    expect(body).toContain("&lt;img src=x onerror=alert(1)&gt; \\| @&#8203;security-team --&gt;");
    expect(body).not.toContain("/blob/");
    expect(body).toContain("`../../../other/repo/x.ts:1`");
    // Only the marker is an HTML comment.
    expect(body.match(/<!--/g)).toHaveLength(1);
  });

  it("shows the run's cost, and with batch pricing the standard price and the saving", () => {
    expect(renderAuditIssue(input()).body).not.toContain("Cost of this run");
    expect(renderAuditIssue(input({ spend: { costUsd: 1.25 } })).body).toContain("\n\nCost of this run: $1.25.\n\n");
    expect(renderAuditIssue(input({ spend: { costUsd: 1.25, listCostUsd: 2.5 } })).body).toContain(
      "Cost of this run: $1.25 with batch pricing ($2.50 at standard prices: $1.25 saved).",
    );
    // A standard price below the cost is not a saving: only the cost is shown.
    expect(renderAuditIssue(input({ spend: { costUsd: 1.25, listCostUsd: 1 } })).body).toContain("Cost of this run: $1.25.");
    expect(renderAuditIssue(input({ spend: { costUsd: Number.NaN } })).body).not.toContain("Cost of this run");
  });

  it("says plainly when nothing was found, listing what was fixed", () => {
    const diff = diffFindings([fingerprintFinding(secret)], []);
    const { title, body } = renderAuditIssue(input({ findings: diff.findings, fixed: diff.fixed, unverified: [], refuted: 0 }));
    expect(title).toBe("dynflow audit weekly-security: no findings");
    expect(body).toContain("No finding survived refutation · **1** fixed since the last run.");
    expect(body).toContain("### Fixed since the last run\n- **critical** hard coded api key — `config/prod.ts`");
    expect(body).not.toContain("| Severity |");
  });

  it("stays within GitHub's limit, dropping evidence first and then rows", () => {
    const many = Array.from({ length: 3000 }, (_, index): AuditFinding => ({
      title: `Unchecked input number ${index} reaches a shell command`,
      path: `src/handlers/handler-${index}.ts`,
      line: index + 1,
      severity: "high",
      evidence: "x".repeat(1000),
    }));
    const { body } = renderAuditIssue(input({ findings: diffFindings([], many).findings, unverified: many, fixed: many.map(fingerprintFinding) }));
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).not.toContain("<summary>Evidence</summary>");
    const rows = body.split("\n").filter((line) => line.startsWith("| high |")).length;
    expect(rows).toBeGreaterThan(100);
    expect(body).toContain(`${3000 - rows} more findings did not fit here; see [the run](https://dynflow.acme.test/runs/r-7f3a).`);
    expect(body).toContain("- … and 2900 more");

    const small = renderAuditIssue(input({ findings: diffFindings([], many.slice(0, 3)).findings, maxLength: 4000 })).body;
    expect(small.length).toBeLessThanOrEqual(4000);
  });

  it("refuses a name, repository, commit or server that would be unsafe in a marker or a link", () => {
    expect(() => renderAuditIssue(input({ auditName: "x --> <b>" }))).toThrow(AuditIssueInputError);
    expect(() => renderAuditIssue(input({ repository: { owner: "acme", repo: "../etc" } }))).toThrow(AuditIssueInputError);
    expect(() => renderAuditIssue(input({ commit: "main" }))).toThrow(expect.objectContaining({ code: "audit_issue_input", field: "commit" }));
    expect(() => renderAuditIssue(input({ serverUrl: "javascript:alert(1)" }))).toThrow(AuditIssueInputError);
  });
});
