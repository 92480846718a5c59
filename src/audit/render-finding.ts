/**
 * The pieces of one finding in the audit issue: its location as a permalink
 * at the audited commit, its verification, its severity's rank. Everything a
 * model wrote is escaped here or by the caller.
 */
import { cell, codeSpan, safeUrl, truncate } from "../report/escape-markdown.js";
import type { JsonValue } from "../runtime/types.js";
import { normalizePath, normalizeSeverity } from "./fingerprint-finding.js";
import type { AuditFinding } from "./types.js";

/** Where the audited files are: the server, the repository and the commit. */
export interface AuditedCommit {
  /** e.g. `https://github.com`, or a GitHub Enterprise Server's root. */
  serverUrl: string;
  owner: string;
  repo: string;
  sha: string;
}

const SEVERITY_RANK: Readonly<Record<string, number>> = { critical: 0, high: 1, medium: 2, moderate: 2, low: 3, info: 4, informational: 4, note: 4 };

/** Sort key of a severity: critical first, unknown words last. */
export function severityRank(severity: string): number {
  return SEVERITY_RANK[normalizeSeverity(severity)] ?? 5;
}

/**
 * `<server>/<owner>/<repo>/blob/<sha>/<path>#L<line>`: pinned to the audited
 * commit, so the line still shows the finding after the code changes. Null
 * when the path is not a plain repository path (empty, `.` or `..` parts
 * would let the link leave the repository).
 */
export function permalink(at: AuditedCommit, path: string, line: number | null | undefined): string | null {
  const segments = normalizePath(path).split("/");
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) return null;
  const anchor = typeof line === "number" && Number.isSafeInteger(line) && line > 0 ? `#L${line}` : "";
  const base = at.serverUrl.replace(/\/+$/, "");
  return safeUrl(`${base}/${at.owner}/${at.repo}/blob/${at.sha}/${segments.map(encodeURIComponent).join("/")}${anchor}`);
}

/** The location of a finding as markdown: a code span `path:line`, linked to its permalink when there is one. */
export function renderLocation(at: AuditedCommit, finding: Pick<AuditFinding, "path" | "line">, options: { table?: boolean } = {}): string {
  const line = typeof finding.line === "number" && finding.line > 0 ? `:${finding.line}` : "";
  const text = codeSpan(`${truncate(normalizePath(finding.path), 150)}${line}`, options);
  const url = permalink(at, finding.path, finding.line);
  return url === null ? text : `[${text}](${url})`;
}

/** One line of text about how a finding was verified (escaped, for a table cell). */
export function renderVerification(verification: JsonValue | undefined): string {
  const text = describe(verification);
  return text === "" ? "—" : cell(text, 80);
}

function describe(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map((item) => describe(item)).filter(Boolean).join(", ");
  const verdict = ["verdict", "status", "result"].map((key) => value[key]).find((item) => typeof item === "string");
  const upheld = value["upheld"];
  const total = value["refuters"] ?? value["total"];
  const tally = typeof upheld === "number" && typeof total === "number" ? `${upheld}/${total} refuters upheld` : "";
  if (typeof verdict === "string") return tally ? `${verdict} (${tally})` : verdict;
  return tally || JSON.stringify(value);
}
