/**
 * What only a run on GitHub adds to its convergence report: the estimate it
 * was planned with, what planning cost (the planner ran in the planning
 * step), and links to the command, the requester, the check run and the
 * run's dashboard page. Pure.
 */
import type { RunReportExtras } from "../../run/build-report-model.js";
import type { ReportLinks } from "../../report/types.js";
import { plannerSpend } from "../../run/total-spend.js";
import type { RunRecord } from "../../store/index.js";
import { reportEstimateOf, type StoredPlan } from "../run-record/stored-plan.js";

/** The extras of `run`; `checkRunUrl` is the run's check run once GitHub has it, `dashboardUrl` its page when the dashboard is on. */
export function reportExtrasOf(run: Pick<RunRecord, "requester" | "createdAt">, plan: StoredPlan, checkRunUrl: string | undefined, dashboardUrl?: string): RunReportExtras {
  const links: ReportLinks = {};
  if (run.requester) links.requester = run.requester;
  if (plan.commandUrl) links.commentUrl = plan.commandUrl;
  if (checkRunUrl) links.checkRunUrl = checkRunUrl;
  if (dashboardUrl) links.dashboardUrl = dashboardUrl;
  return {
    estimate: reportEstimateOf(plan),
    links,
    planSpend: plannerSpend(plan),
    startedAt: run.createdAt,
  };
}
