/**
 * The identity of a finding across audit runs. Models word the same finding
 * slightly differently from run to run, and code moves, so the fingerprint
 * keeps only what stays put: the severity, the file, and the title reduced
 * to its words. Line numbers are left out on purpose: a finding whose code
 * moved a few lines (an import added above it) is the same finding, and must
 * not show up as "fixed" and "new" at once. The cost: two findings with the
 * same title, severity and file count as one (they stay separate rows).
 */
import type { AuditFinding } from "./types.js";

/** Longest normalised title kept: longer ones differ well before this. */
const TITLE_MAX = 160;

/**
 * `<severity>|<path>|<normalised title>`, readable so a fixed finding can be
 * listed from its fingerprint alone. The title part holds only letters,
 * digits and single spaces; the severity only letters.
 */
export function fingerprintFinding(finding: AuditFinding): string {
  return `${normalizeSeverity(finding.severity)}|${normalizePath(finding.path)}|${normalizeTitle(finding.title)}`;
}

/** The parts of a fingerprint, or null for a string that is not one. */
export function parseFingerprint(fingerprint: string): { severity: string; path: string; title: string } | null {
  const first = fingerprint.indexOf("|");
  const last = fingerprint.lastIndexOf("|");
  if (first <= 0 || last === first) return null;
  return { severity: fingerprint.slice(0, first), path: fingerprint.slice(first + 1, last), title: fingerprint.slice(last + 1) };
}

/** Lowercase letters only (`High!` → `high`); `unknown` when none are left. */
export function normalizeSeverity(severity: string): string {
  return severity.normalize("NFKC").toLowerCase().replace(/[^a-z]/g, "") || "unknown";
}

/** A repository path as git spells it: forward slashes, no leading `./` or `/`, no doubled slashes. */
export function normalizePath(path: string): string {
  return path
    .normalize("NFC")
    .trim()
    .replace(/\\/g, "/")
    .replace(/\/{2,}/g, "/")
    .replace(/^(?:\.\/|\/)+/, "");
}

/**
 * The words of a title: case, markup, punctuation and line references
 * ("line 42", "L42", "lines 3-7", ":42") dropped, so a reworded or moved
 * finding keeps its identity.
 */
export function normalizeTitle(title: string): string {
  const words = title
    .normalize("NFKC")
    .toLowerCase()
    .replace(/(?:\b(?:on|at|near|in)\s+)?(?:\blines?\s+\d+(?:\s*[-–]\s*\d+)?\b|(?<=^|[\s(])l\d+(?:-l?\d+)?\b)/g, " ")
    .replace(/(?<=\S):\d+(?::\d+)?\b/g, " ")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
  return Array.from(words).slice(0, TITLE_MAX).join("").trim();
}
