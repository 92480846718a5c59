/**
 * The pull request body of a run on GitHub: the convergence report with the
 * estimate made before the run, links to the command, the requester and the
 * check run, and the history of refutations of merged work. Never longer
 * than GitHub's limit of 65,536 characters. Pure.
 */
import { GITHUB_BODY_LIMIT, renderReport } from "../report/render-report.js";
import type { ReportEstimate, ReportLinks, ReportModel } from "../report/types.js";
import { renderRefutations } from "../run/render-refutations.js";
import { addUsage, type TokenUsage } from "../runtime/types.js";

export interface RunReportExtras {
  estimate: ReportEstimate | null;
  links: ReportLinks;
  /** What planning cost (the planner model ran before the script did); null when nothing. */
  planSpend?: { usage: TokenUsage; costUsd: number } | null;
}

const TOTALS_HEADING = "\n\n### Totals\n";

/** The report model of `runWorkflow` with what only the GitHub run knows. */
export function withRunExtras(model: ReportModel, extras: RunReportExtras): ReportModel {
  const spend = extras.planSpend;
  const totals =
    spend == null ? model.totals : { ...model.totals, usage: addUsage(model.totals.usage, spend.usage), costUsd: model.totals.costUsd + spend.costUsd };
  return { ...model, estimate: extras.estimate, links: extras.links, totals };
}

/**
 * Renders the report, the refutations section placed before the totals (or
 * left out when it would take more than a quarter of the room).
 */
export function renderRunReport(model: ReportModel, maxLength = GITHUB_BODY_LIMIT): string {
  const refutations = renderRefutations(model.workers);
  if (refutations === null || refutations.length > maxLength / 4) return renderReport(model, { maxLength });
  const report = renderReport(model, { maxLength: maxLength - refutations.length - 2 });
  const totals = report.indexOf(TOTALS_HEADING);
  if (totals < 0) return `${report}\n${refutations}\n`;
  return `${report.slice(0, totals)}\n\n${refutations}${report.slice(totals)}`;
}
