/**
 * Renders the convergence report (the pull request body) from a ReportModel.
 * Pure: no I/O, no clock.
 */
import { codeSpan, safeLogin, safeUrl } from "./escape-markdown.js";
import { groupDigits } from "./format-values.js";
import { renderClaims } from "./render-claims.js";
import { renderOutcomeSections, type DetailLimits } from "./render-outcome-sections.js";
import { renderPhases } from "./render-phases.js";
import { renderRefutations } from "./render-refutations.js";
import { renderScript, renderScriptOmitted } from "./render-script.js";
import { renderSummary } from "./render-summary.js";
import { renderTotals } from "./render-totals.js";
import { renderWorkersTable } from "./render-workers-table.js";
import type { RenderReportOptions, ReportModel } from "./types.js";

/** GitHub's limit on a pull request body. */
export const GITHUB_BODY_LIMIT = 65_536;

interface Shrink extends DetailLimits {
  script: boolean;
  /** Most worker rows in the table. */
  rowMax: number;
}

/**
 * Shrink steps, in order, tried until the report fits: first the plan script
 * is left out, then evidence is trimmed harder; after these, the worker table
 * and the section lists are cut to their first N entries (the largest N that
 * fits, with "… N more" rows). Should even that not fit, the summary is kept
 * and the rest dropped. Every shortened report ends with a notice and, when a
 * check run URL is given, "Full report: <url>".
 */
const STEPS: Omit<Shrink, "rowMax" | "listMax">[] = [
  { script: true, evidenceMax: Infinity },
  { script: false, evidenceMax: Infinity },
  { script: false, evidenceMax: 1_000 },
  { script: false, evidenceMax: 200 },
  { script: false, evidenceMax: 80 },
];

/**
 * Renders the report: summary, per-worker table, sections for everything that
 * did not converge (with evidence), what was not done, totals against the
 * estimate, a flowchart of the phases and the plan script. Never longer than
 * `maxLength` (default 65,536).
 */
export function renderReport(model: ReportModel, options: RenderReportOptions = {}): string {
  const maxLength = options.maxLength ?? GITHUB_BODY_LIMIT;
  const summary = renderSummary(model);
  const fits = (text: string) => text.length <= maxLength;

  for (const [index, step] of STEPS.entries()) {
    const text = assemble(model, summary, { ...step, rowMax: Infinity, listMax: Infinity }, index > 0);
    if (fits(text)) return text;
  }

  const last = STEPS.at(-1)!;
  const withEntries = (n: number) => assemble(model, summary, { ...last, rowMax: n, listMax: n }, true);
  // Length grows with N, so binary search finds the most entries that fit.
  let low = 0;
  let high = model.workers.length + (model.unchanged?.length ?? 0) + model.notes.length + (model.reconcile?.conflicts.length ?? 0) + (model.claims?.length ?? 0);
  if (fits(withEntries(low))) {
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (fits(withEntries(mid))) low = mid;
      else high = mid - 1;
    }
    return withEntries(low);
  }
  return summaryOnly(model, summary, maxLength);
}

function assemble(model: ReportModel, summary: string, shrink: Shrink, shortened: boolean): string {
  const pointer = safeUrl(model.links?.checkRunUrl);
  const parts = [summary, "### Workers", renderWorkersTable(model.workers, shrink.rowMax, model.unchanged)];
  parts.push(...renderOutcomeSections(model, shrink));
  const refutations = renderRefutations(model.workers, shrink);
  if (refutations !== null) parts.push(refutations);
  const claims = renderClaims(model.claims, shrink);
  if (claims !== null) parts.push(claims);
  parts.push("### Totals", renderTotals(model.totals, model.estimate));
  const phases = renderPhases(model.phases);
  if (phases !== null) parts.push("### Phases", phases);
  parts.push(shrink.script ? renderScript(model.script) : renderScriptOmitted(model.script, pointer));
  const footer = renderFooter(model);
  if (footer !== null) parts.push("---", footer);
  if (shortened) parts.push(shortenedNotice(model, shrink, pointer));
  return `${parts.join("\n\n")}\n`;
}

function renderFooter(model: ReportModel): string | null {
  const links: string[] = [];
  const login = safeLogin(model.links?.requester);
  if (login !== null) links.push(`Requested by @${login}`);
  const comment = safeUrl(model.links?.commentUrl);
  if (comment !== null) links.push(`[Command](${comment})`);
  const checkRun = safeUrl(model.links?.checkRunUrl);
  if (checkRun !== null) links.push(`[Check run](${checkRun})`);
  const dashboard = safeUrl(model.links?.dashboardUrl);
  if (dashboard !== null) links.push(`[Agents and transcripts](${dashboard})`);
  if (links.length === 0) return null;
  return `${links.join(" · ")} · Run ${codeSpan(model.runId)}`;
}

function shortenedNotice(model: ReportModel, shrink: Shrink, pointer: string | null): string {
  const cut: string[] = [];
  if (!shrink.script) cut.push("the plan script is left out");
  if (Number.isFinite(shrink.evidenceMax)) cut.push(`evidence is cut to ${groupDigits(shrink.evidenceMax)} characters`);
  const listed = model.workers.length + (model.unchanged?.length ?? 0);
  const hidden = listed - Math.min(listed, shrink.rowMax);
  if (hidden > 0) cut.push(`${groupDigits(hidden)} of ${groupDigits(listed)} workers are not listed`);
  const lines = [`_This report was shortened to fit GitHub's size limit: ${cut.join(", ")}._`];
  if (pointer !== null) lines.push(`Full report: ${pointer}`);
  return lines.join("\n\n");
}

/** The last resort: the summary (cut if it must be) and the pointer. */
function summaryOnly(model: ReportModel, summary: string, maxLength: number): string {
  const pointer = safeUrl(model.links?.checkRunUrl);
  const tail = `\n\n_This report was shortened to fit GitHub's size limit: only the summary is kept._${
    pointer !== null ? `\n\nFull report: ${pointer}` : ""
  }\n`;
  const room = maxLength - tail.length;
  if (room <= 0) return tail.trimStart().slice(0, Math.max(0, maxLength));
  const head = summary.length <= room ? summary : `${Array.from(summary.slice(0, room - 1)).join("")}…`;
  return `${head}${tail}`;
}
