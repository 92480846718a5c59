/**
 * The body of an audit's issue (pure): the findings that survived refutation
 * as a table, the unverified ones, and what was fixed since the last run.
 * Findings are model text, so every bit of it is escaped; the body always
 * fits GitHub's limit, giving up evidence first, then rows.
 */
import { fitLength } from "../progress/fit-text.js";
import { cell, codeSpan, escapeInline, safeUrl, truncate } from "../report/escape-markdown.js";
import { formatUsd } from "../report/format-values.js";
import { GITHUB_BODY_LIMIT } from "../report/render-report.js";
import { auditMarker } from "./audit-marker.js";
import { AuditIssueInputError } from "./errors.js";
import { parseFingerprint } from "./fingerprint-finding.js";
import { renderLocation, renderVerification, severityRank, type AuditedCommit } from "./render-finding.js";
import type { AuditFinding, MarkedFinding } from "./types.js";

export interface RenderAuditIssueInput {
  auditName: string;
  repository: { owner: string; repo: string };
  /** Full id of the audited commit: every link points into it. */
  commit: string;
  /** Findings that survived refutation, marked by `diffFindings`. */
  findings: readonly MarkedFinding[];
  /** Findings neither upheld nor refuted. */
  unverified?: readonly AuditFinding[];
  /** Fingerprints of findings reported before and not found now. */
  fixed?: readonly string[];
  /** How many findings were refuted (counted, never listed). */
  refuted?: number;
  runUrl?: string;
  /** e.g. `https://github.com`; a GitHub Enterprise Server's root works the same. */
  serverUrl: string;
  /** What the run cost; with batch pricing, also what the same usage costs at standard prices. */
  spend?: AuditSpend;
  /** Default: GitHub's 65,536 characters. */
  maxLength?: number;
}

/** An audit run's cost, in dollars. */
export interface AuditSpend {
  costUsd: number;
  /** Set when the run's model calls went through the Message Batches API: the standard price of the same usage. */
  listCostUsd?: number;
}

const GITHUB_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;
const COMMIT = /^[0-9a-f]{7,64}$/i;
const EVIDENCE_MAX = 1500;
const LIST_MAX = 100;

interface Shape {
  rows: number;
  evidence: boolean;
}

/** The issue's title and body. Throws `AuditIssueInputError` for a name, repository or commit that is not one. */
export function renderAuditIssue(input: RenderAuditIssueInput): { title: string; body: string } {
  const marker = auditMarker(input.auditName);
  const { owner, repo } = input.repository;
  if (!GITHUB_NAME.test(owner)) throw new AuditIssueInputError("repository.owner", "a GitHub account name", owner);
  if (!GITHUB_NAME.test(repo)) throw new AuditIssueInputError("repository.repo", "a GitHub repository name", repo);
  if (!COMMIT.test(input.commit)) throw new AuditIssueInputError("commit", "a commit id (hexadecimal)", input.commit);
  const serverUrl = safeUrl(input.serverUrl);
  if (serverUrl === null) throw new AuditIssueInputError("serverUrl", "an http(s) URL such as https://github.com", input.serverUrl);
  const at: AuditedCommit = { serverUrl, owner, repo, sha: input.commit.toLowerCase() };
  const findings = sortFindings(input.findings);
  const maxLength = input.maxLength ?? GITHUB_BODY_LIMIT;

  const compose = (shape: Shape) => [marker, ...sections(input, at, findings, shape)].join("\n\n") + "\n";
  let body = compose({ rows: findings.length, evidence: true });
  if (body.length > maxLength) body = compose({ rows: findings.length, evidence: false });
  if (body.length > maxLength) {
    // The most rows that fit, found by bisection (the body grows with the rows).
    let low = 0;
    let high = findings.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (compose({ rows: mid, evidence: false }).length <= maxLength) low = mid;
      else high = mid - 1;
    }
    body = fitLength(compose({ rows: low, evidence: false }), maxLength, "…\n");
  }
  return { title: renderTitle(input.auditName, input.findings, input.unverified?.length ?? 0), body };
}

function renderTitle(auditName: string, findings: readonly MarkedFinding[], unverified: number): string {
  if (findings.length === 0) return `dynflow audit ${auditName}: ${unverified > 0 ? plural(unverified, "unverified finding") : "no findings"}`;
  const fresh = findings.filter((finding) => finding.status === "new").length;
  return `dynflow audit ${auditName}: ${plural(findings.length, "finding")}${fresh > 0 ? ` (${fresh} new)` : ""}`;
}

function sections(input: RenderAuditIssueInput, at: AuditedCommit, findings: readonly MarkedFinding[], shape: Shape): string[] {
  const unverified = input.unverified ?? [];
  const fixed = input.fixed ?? [];
  const commitUrl = safeUrl(`${at.serverUrl.replace(/\/+$/, "")}/${at.owner}/${at.repo}/commit/${at.sha}`);
  const commit = commitUrl ? `[${codeSpan(at.sha.slice(0, 7))}](${commitUrl})` : codeSpan(at.sha.slice(0, 7));
  const runUrl = safeUrl(input.runUrl);
  const out = [`## dynflow audit ${codeSpan(input.auditName)}`, `Audited ${commit} of ${at.owner}/${at.repo}${runUrl ? ` · [the run](${runUrl})` : ""}.`];

  const fresh = findings.filter((finding) => finding.status === "new").length;
  const counts = [
    findings.length === 0 ? "No finding survived refutation" : `**${findings.length}** ${findings.length === 1 ? "finding" : "findings"} survived refutation (${fresh} new)`,
    unverified.length > 0 ? `**${unverified.length}** unverified` : null,
    (input.refuted ?? 0) > 0 ? `**${input.refuted}** refuted (not listed)` : null,
    fixed.length > 0 ? `**${fixed.length}** fixed since the last run` : null,
  ];
  out.push(counts.filter((part) => part !== null).join(" · ") + ".");
  const spend = renderSpend(input.spend);
  if (spend !== null) out.push(spend);

  if (findings.length > 0) {
    const shown = findings.slice(0, shape.rows);
    const rows = shown.map(
      (finding) =>
        `| ${cell(finding.severity, 20)} | ${cell(finding.title, 200)} | ${renderLocation(at, finding, { table: true })} | ${renderVerification(finding.verification)} | ${finding.status === "new" ? "**new**" : "existing"} |`,
    );
    const hidden = findings.length - shown.length;
    out.push(["| Severity | Finding | Location | Verification | Status |", "|---|---|---|---|---|", ...rows].join("\n"));
    if (hidden > 0) out.push(`${plural(hidden, "more finding")} did not fit here${runUrl ? `; see [the run](${runUrl})` : ""}.`);
    if (shape.evidence) {
      const details = shown.filter((finding) => finding.evidence?.trim()).map((finding) => renderEvidence(at, finding));
      if (details.length > 0) out.push(`<details><summary>Evidence</summary>\n\n${details.join("\n\n")}\n\n</details>`);
    }
  }

  if (unverified.length > 0) {
    const items = sortFindings(unverified)
      .slice(0, LIST_MAX)
      .map((finding) => `- **${cell(finding.severity, 20)}** ${cell(finding.title, 200)} — ${renderLocation(at, finding)}`);
    out.push(["### Unverified", "The refuters could neither uphold nor refute these; check them by hand.", ...items, more(unverified.length)].filter(Boolean).join("\n"));
  }

  if (fixed.length > 0) {
    const items = fixed.slice(0, LIST_MAX).map((fingerprint) => {
      const parts = parseFingerprint(fingerprint);
      if (parts === null) return `- ${cell(fingerprint, 200)}`;
      return `- **${cell(parts.severity, 20)}** ${cell(parts.title, 200)} — ${codeSpan(truncate(parts.path, 150))}`;
    });
    out.push(["### Fixed since the last run", ...items, more(fixed.length)].filter(Boolean).join("\n"));
  }

  out.push(
    "<sub>Findings are model output, each checked by independent agents that tried to refute it; refuted findings are not listed. dynflow updates this issue on every run of the audit and closes it when nothing is found.</sub>",
  );
  return out;
}

/** "Cost $1.20 with batch pricing ($2.40 at standard prices: $1.20 saved)."; null without a usable cost. */
function renderSpend(spend: AuditSpend | undefined): string | null {
  if (spend === undefined || !Number.isFinite(spend.costUsd) || spend.costUsd < 0) return null;
  const list = spend.listCostUsd;
  if (list === undefined || !Number.isFinite(list) || list < spend.costUsd) return `Cost of this run: ${formatUsd(spend.costUsd)}.`;
  return `Cost of this run: ${formatUsd(spend.costUsd)} with batch pricing (${formatUsd(list)} at standard prices: ${formatUsd(list - spend.costUsd)} saved).`;
}

function renderEvidence(at: AuditedCommit, finding: MarkedFinding): string {
  const text = escapeInline(truncate((finding.evidence ?? "").trim(), EVIDENCE_MAX), "<br>");
  return `**${cell(finding.title, 200)}** — ${renderLocation(at, finding)}<br>${text}`;
}

/** Most severe first, then by path and line; the sort is stable, so the workflow's order breaks the rest. */
function sortFindings<T extends AuditFinding>(findings: readonly T[]): T[] {
  // Plain code-unit order, not the locale's: the same findings render the same everywhere.
  const byPath = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || byPath(a.path, b.path) || (a.line ?? 0) - (b.line ?? 0),
  );
}

function more(total: number): string {
  return total > LIST_MAX ? `- … and ${total - LIST_MAX} more` : "";
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
