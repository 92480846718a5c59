/**
 * A report section for work that was refuted at some point but is not
 * reported as refuted: redone with the refuters' evidence and then upheld, or
 * accepted by the plan script anyway. It says which rounds were refuted and
 * for what. (Work still refuted at the end has its own section.)
 */
import type { WorkerOutcome } from "../agents/types.js";
import { escapeInline, truncate } from "../report/escape-markdown.js";

const LABEL_MAX = 120;
const EVIDENCE_MAX = 2_000;

/** The section, or null when there is nothing to tell. */
export function renderRefutations(workers: readonly WorkerOutcome[]): string | null {
  const recovered = workers.filter((w) => w.status !== "refuted" && w.verdicts.includes("refuted") && w.reason?.trim());
  if (recovered.length === 0) return null;
  const items = recovered.map((w) => {
    const label = escapeInline(truncate(w.label, LABEL_MAX));
    const reason = escapeInline(truncate((w.reason ?? "").trim(), EVIDENCE_MAX), "<br>");
    return `- **${label}** (${w.verdicts.join(" → ")}, ${w.status}): ${reason}`;
  });
  return [
    `### Earlier refutations (${recovered.length})`,
    "",
    "Refuters found these problems; the work was redone with their evidence until upheld, or the plan script accepted it anyway.",
    "",
    ...items,
  ].join("\n");
}
