/**
 * Sections that explain every worker that did not simply converge (refuted,
 * unverified, unreviewed, failed, capped, conflicted, discarded), with the
 * evidence or reason, and the run's notes on what was not done.
 */
import type { WorkerOutcome, WorkerStatus } from "../agents/types.js";
import type { ReconcileConflict } from "../reconcile/types.js";
import { codeSpan, escapeInline, truncate } from "./escape-markdown.js";
import { groupDigits } from "./format-values.js";
import type { ReportModel } from "./types.js";

/** How much of the untrusted detail to show; the report shrinks these when it is too long. */
export interface DetailLimits {
  /** Longest evidence or reason per item, in characters. */
  evidenceMax: number;
  /** Most items per section; the rest are counted. */
  listMax: number;
}

type StatusSection = { status: Exclude<WorkerStatus, "accepted" | "conflicted">; title: string; intro: string };

/** Section order; `conflicts` stands for the merge conflicts section. */
const SECTIONS: (StatusSection | "conflicts")[] = [
  { status: "refuted", title: "Refuted", intro: "A refuter found a concrete problem that was still there when the rounds ran out. Not merged." },
  { status: "unverified", title: "Unverified", intro: "No refuter could run, so nobody checked these changes. Merged, which keeps the pull request a draft: review them yourself." },
  { status: "unreviewed", title: "Unreviewed", intro: "No refuter reviewed these. Changes among them are merged, which keeps the pull request a draft; a worker that said nothing needed changing is unchecked. Review them yourself." },
  { status: "failed", title: "Failed", intro: "The agent failed before producing a result." },
  { status: "capped", title: "Capped", intro: "A cap or the budget stopped this work before it finished." },
  "conflicts",
  { status: "discarded", title: "Discarded", intro: "The plan script discarded these results." },
];

/** Renders every non-empty section, in a fixed order, each headed with its count. */
export function renderOutcomeSections(model: ReportModel, limits: DetailLimits): string[] {
  const sections: string[] = [];
  for (const entry of SECTIONS) {
    if (entry === "conflicts") {
      const conflicts = renderConflicts(model, limits);
      if (conflicts !== null) sections.push(conflicts);
      continue;
    }
    const { status, title, intro } = entry;
    const workers = model.workers.filter((w) => w.status === status);
    if (workers.length === 0) continue;
    const items = workers.map((w) => workerItem(w, limits.evidenceMax));
    sections.push(section(title, workers.length, intro, items, limits.listMax));
  }
  const unchanged = model.unchanged ?? [];
  if (unchanged.length > 0) {
    const items = unchanged.map((w) => `- **${escapeInline(truncate(w.label, 120))}**: ${escapeInline(truncate(w.reason.trim() || "no reason given", limits.evidenceMax), "<br>")}`);
    sections.push(section("No change needed", unchanged.length, "These workers found nothing to change. Converged; nothing to merge.", items, limits.listMax));
  }
  if (model.notes.length > 0) {
    const items = model.notes.map((n) => `- ${escapeInline(truncate(n, limits.evidenceMax), "<br>")}`);
    sections.push(section("Not done", model.notes.length, "", items, limits.listMax));
  }
  return sections;
}

function section(title: string, count: number, intro: string, items: string[], listMax: number): string {
  const shown = items.slice(0, Math.max(0, listMax));
  if (items.length > shown.length) shown.push(`- … and ${groupDigits(items.length - shown.length)} more`);
  return [`### ${title} (${groupDigits(count)})`, ...(intro ? ["", intro] : []), "", ...shown].join("\n");
}

function workerItem(worker: WorkerOutcome, evidenceMax: number): string {
  const verdicts = worker.verdicts.length > 0 ? ` (${worker.verdicts.join(" → ")})` : "";
  const reason = worker.reason?.trim() ? escapeInline(truncate(worker.reason.trim(), evidenceMax), "<br>") : "_no reason recorded_";
  return `- **${escapeInline(truncate(worker.label, 120))}**${verdicts}: ${reason}`;
}

/**
 * Conflicts: unresolved ones (not merged) and conflicted workers, then those
 * the resolver merged, so a resolved merge is still visible to reviewers.
 */
function renderConflicts(model: ReportModel, limits: DetailLimits): string | null {
  const conflicts = model.reconcile?.conflicts ?? [];
  const unresolved = conflicts.filter((c) => c.resolution === "unresolved");
  const resolved = conflicts.filter((c) => c.resolution === "resolved");
  const known = new Set(unresolved.map((c) => c.label));
  const stray = model.workers.filter((w) => w.status === "conflicted" && !known.has(w.label));
  const items = [
    ...unresolved.map((c) => conflictItem(c, "not merged", limits.evidenceMax)),
    ...stray.map((w) => workerItem(w, limits.evidenceMax)),
    ...resolved.map((c) => conflictItem(c, "resolved by the conflict resolver and merged", limits.evidenceMax)),
  ];
  if (items.length === 0) return null;
  const intro = "Accepted changes whose merge into this branch conflicted. Unresolved ones are not in this pull request.";
  return section("Conflicts", items.length, intro, items, limits.listMax);
}

function conflictItem(conflict: ReconcileConflict, outcome: string, evidenceMax: number): string {
  const paths = conflict.paths.slice(0, 10).map((p) => codeSpan(p)).join(", ");
  const more = conflict.paths.length > 10 ? ` and ${groupDigits(conflict.paths.length - 10)} more` : "";
  const reason = conflict.reason ? `: ${escapeInline(truncate(conflict.reason, evidenceMax), "<br>")}` : "";
  return `- **${escapeInline(truncate(conflict.label, 120))}** — ${outcome}; ${paths || "no paths"}${more}${reason}`;
}
