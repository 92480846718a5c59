/**
 * What only a run on GitHub adds to the convergence report: the estimate made
 * before the run, links to the command, the requester and the check run, and
 * what planning cost. Pure.
 */
import type { ReportEstimate, ReportLinks, ReportModel } from "../../report/types.js";
import { addUsage, type TokenUsage } from "../../runtime/types.js";

export interface RunReportExtras {
  estimate: ReportEstimate | null;
  links: ReportLinks;
  /** What planning cost (the planner model ran before the script did); null when nothing. */
  planSpend?: { usage: TokenUsage; costUsd: number } | null;
}

/** The report model of `runWorkflow` with what only the GitHub run knows. */
export function withRunExtras(model: ReportModel, extras: RunReportExtras): ReportModel {
  const spend = extras.planSpend;
  const totals =
    spend == null ? model.totals : { ...model.totals, usage: addUsage(model.totals.usage, spend.usage), costUsd: model.totals.costUsd + spend.costUsd };
  return { ...model, estimate: extras.estimate, links: extras.links, totals };
}
