/**
 * A report section for work that was refuted at some point but is not
 * reported as refuted: redone with the refuters' evidence and then upheld, or
 * accepted by the plan script anyway. It says which rounds were refuted and
 * for what. (Work still refuted at the end has its own section.)
 */
import type { WorkerOutcome } from "../agents/types.js";
import { escapeInline, truncate } from "./escape-markdown.js";
import type { DetailLimits } from "./render-outcome-sections.js";

const LABEL_MAX = 120;
const EVIDENCE_MAX = 2_000;

/** The section, or null when there is nothing to tell; `limits` shrink it like the other sections. */
export function renderRefutations(workers: readonly WorkerOutcome[], limits: DetailLimits = { evidenceMax: Infinity, listMax: Infinity }): string | null {
  const recovered = workers.filter((w) => w.status !== "refuted" && w.verdicts.includes("refuted") && w.reason?.trim());
  if (recovered.length === 0) return null;
  const shown = recovered.slice(0, limits.listMax);
  const items = shown.map((w) => {
    const label = escapeInline(truncate(w.label, LABEL_MAX));
    const reason = escapeInline(truncate((w.reason ?? "").trim(), Math.min(EVIDENCE_MAX, limits.evidenceMax)), "<br>");
    return `- **${label}** (${w.verdicts.join(" → ")}, ${w.status}): ${reason}`;
  });
  if (recovered.length > shown.length) items.push(`- … ${recovered.length - shown.length} more`);
  return [
    `### Earlier refutations (${recovered.length})`,
    "",
    "Refuters found these problems; the work was redone with their evidence until upheld, or the plan script accepted it anyway.",
    "",
    ...items,
  ].join("\n");
}
