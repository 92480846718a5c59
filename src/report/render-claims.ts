/**
 * The report's section on claims the plan script had refuted
 * (`refute({ claim })`, e.g. a post-migration audit): each claim, what it was
 * judged on, its verdict and the evidence. Claims and evidence are model or
 * script text: bounded and escaped.
 */
import { codeSpan, escapeInline, truncate } from "./escape-markdown.js";
import type { DetailLimits } from "./render-outcome-sections.js";
import type { ReportClaim } from "./types.js";

const LABEL_MAX = 120;
const CLAIM_MAX = 300;
const EVIDENCE_MAX = 2_000;

const VERDICT_WORDS: Record<NonNullable<ReportClaim["verdict"]> | "none", string> = {
  upheld: "upheld",
  refuted: "**refuted**",
  unverified: "**unverified** (no refuter could check it)",
  none: "**no verdict** (the run stopped first)",
};

/** The section, or null when the script made no claim. */
export function renderClaims(claims: readonly ReportClaim[] | undefined, limits: DetailLimits = { evidenceMax: Infinity, listMax: Infinity }): string | null {
  if (!claims || claims.length === 0) return null;
  const shown = claims.slice(0, limits.listMax);
  const items = shown.map((claim) => {
    const label = escapeInline(truncate(claim.label, LABEL_MAX));
    const text = escapeInline(truncate(claim.claim.trim(), CLAIM_MAX));
    const evidence = escapeInline(truncate(claim.evidence.trim() || "no evidence given", Math.min(EVIDENCE_MAX, limits.evidenceMax)), "<br>");
    return `- **${label}**: ${VERDICT_WORDS[claim.verdict ?? "none"]}, judged on ${judgedOn(claim.judged)}.<br>Claim: ${text}<br>Evidence: ${evidence}`;
  });
  if (claims.length > shown.length) items.push(`- … ${claims.length - shown.length} more`);
  return [`### Claims (${claims.length})`, "", "Claims the plan script asked independent refuters to check.", "", ...items].join("\n");
}

function judgedOn(judged: ReportClaim["judged"]): string {
  if (judged.kind === "base") return `the base commit ${codeSpan(judged.commit.slice(0, 12))}`;
  const lines = `${judged.merged.length} line${judged.merged.length === 1 ? "" : "s"} of work merged`;
  const left = judged.left.length > 0 ? `; ${judged.left.length} left out by a conflict` : "";
  return `the run's result so far ${codeSpan(judged.commit.slice(0, 12))} (${lines}${left})`;
}
