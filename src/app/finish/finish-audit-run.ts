/**
 * The end of an executed audit run. An audit opens no pull request: a run
 * that finished reports to the audit's one issue (opened, updated, reopened
 * or closed by `publishAuditIssue`); a run that did not finish leaves the
 * issue alone, since a partial audit would mark findings it never looked at
 * as fixed. Then the check run, the status comment (which links the issue),
 * the reaction and the record, as for any run.
 */
import type { BatchTotals } from "../../agents/model/batch/index.js";
import { publishAuditIssue, readAuditResult, type AuditResult, type PublishedAuditIssue } from "../../audit/index.js";
import { formatUsd } from "../../report/format-values.js";
import type { WorkflowResult } from "../../run/types.js";
import type { JsonValue, RunStatus } from "../../runtime/types.js";
import type { RunRecord } from "../../store/index.js";
import { batchSpendOf, type BatchSpend } from "./batch-spend.js";
import { RunNotReadyError } from "../errors.js";
import type { ExecutedRun } from "./executed-run.js";
import { toResultJson } from "../run-record/run-result.js";
import { endRun, withReportTotals } from "../surfaces/end-run.js";

export interface FinishAuditRunOptions extends ExecutedRun {
  /** The batch client's totals when the run's model calls were batched, else null. */
  batch: BatchTotals | null;
}

/** What the audit reported, when it finished. */
interface AuditReport {
  audit: AuditResult;
  issue: PublishedAuditIssue;
}

/**
 * Publishes the audit's issue and reports. Throws when the issue cannot be
 * published, or when a finished run's result is not an audit result
 * (`AuditResultError`): the run then ends as failed, and the issue is unchanged.
 */
export async function finishAuditRun(options: FinishAuditRunOptions): Promise<void> {
  const { github, run, runtime, progress, result, log } = options;
  const { outcome } = result;
  // Agents that ran elsewhere (on `dynflow worker`s) did not go through this process's batch client: claim no saving for them.
  const totals = options.batch;
  const spend = totals !== null && (totals.requests > 0 || outcome.freshCostUsd === 0) ? batchSpendOf(outcome, totals) : null;

  // 1. The issue, from a finished audit only.
  const report = outcome.status === "ok" ? await publish(options, spend) : null;

  // 2. The check run, the status comment, the reaction and the record.
  await endRun({ github, run, runtime, log }, progress, {
    status: outcome.status,
    draft: false,
    notes: notesOf(run, outcome.status, report, spend),
    report: result.reportMarkdown,
    snapshot: (tracked) => withReportTotals(tracked, result),
    record: { error: outcome.error, result: resultJson(result, report, spend) },
  });
  log.info({ status: outcome.status, issue: report?.issue.issueNumber ?? null, action: report?.issue.action ?? null, savedUsd: spend?.savedUsd }, "audit finished on GitHub");
}

async function publish(options: FinishAuditRunOptions, spend: BatchSpend | null): Promise<AuditReport> {
  const { github, run, runtime, plan, progress, result, log } = options;
  if (run.workflow === null) throw new RunNotReadyError(run.id, "audit name");
  if (run.baseSha === null) throw new RunNotReadyError(run.id, "base commit");
  const audit = readAuditResult(result.outcome.result);
  // Permalinks point at the web host of the repository: github.com, or the GitHub Enterprise Server.
  const { data: repository } = await github.rest.repos.get({ owner: run.owner, repo: run.repo });
  const runUrl = progress.checkRun.current?.url ?? plan.commandUrl;
  const issue = await publishAuditIssue({
    octokit: github,
    store: runtime.store,
    owner: run.owner,
    repo: run.repo,
    auditName: run.workflow,
    commit: run.baseSha,
    findings: audit.findings,
    unverified: audit.unverified,
    refuted: audit.refuted,
    ...(runUrl !== undefined ? { runUrl } : {}),
    serverUrl: new URL(repository.html_url).origin,
    spend: spend ?? { costUsd: result.reportModel.totals.costUsd },
    log,
  });
  return { audit, issue };
}

/** Closing lines of the status comment and the check run (dynflow's own words). */
function notesOf(run: RunRecord, status: RunStatus, report: AuditReport | null, spend: BatchSpend | null): string[] {
  const notes: string[] = [];
  if (report === null) {
    notes.push(
      `The audit did not finish (\`${status}\`), so its issue was left as it was: an unfinished audit cannot tell a fixed finding from one it never looked at. ` +
        `\`/dynflow resume ${run.id}\` finishes it without paying again for finished agents.`,
    );
  } else {
    notes.push(describeIssue(report));
    if (report.audit.dropped > 0) notes.push(`${report.audit.dropped} malformed finding${report.audit.dropped === 1 ? " was" : "s were"} left out (no title or path).`);
  }
  if (spend !== null) {
    notes.push(`Batch pricing: ${formatUsd(spend.costUsd)} instead of ${formatUsd(spend.listCostUsd)} at standard prices (${formatUsd(spend.savedUsd)} saved).`);
  }
  return notes;
}

function describeIssue({ audit, issue }: AuditReport): string {
  const link = issue.issueNumber === null ? "" : `[#${issue.issueNumber}](${issue.url ?? ""})`;
  const counts = `${audit.findings.length} finding${audit.findings.length === 1 ? "" : "s"} (${issue.newFindings} new), ${audit.unverified.length} unverified, ${audit.refuted} refuted, ${issue.fixed} fixed since the last run`;
  switch (issue.action) {
    case "created":
      return `Opened the audit issue ${link}: ${counts}.`;
    case "updated":
      return `Updated the audit issue ${link}: ${counts}.`;
    case "reopened":
      return `Reopened the audit issue ${link}: ${counts}.`;
    case "closed":
      return `No finding survived refutation: closed the audit issue ${link}.`;
    case "unchanged":
      return issue.issueNumber === null ? "No finding survived refutation, so no audit issue was opened." : `No finding survived refutation; the audit issue ${link} stays closed.`;
  }
}

function resultJson(result: WorkflowResult, report: AuditReport | null, spend: BatchSpend | null): JsonValue {
  const audit =
    report === null
      ? null
      : {
          issue: report.issue.issueNumber === null ? null : { number: report.issue.issueNumber, url: report.issue.url, action: report.issue.action },
          findings: report.audit.findings.length,
          unverified: report.audit.unverified.length,
          refuted: report.audit.refuted,
          dropped: report.audit.dropped,
          newFindings: report.issue.newFindings,
          fixed: report.issue.fixed,
        };
  return toResultJson({
    audit,
    agents: result.reportModel.totals.agents,
    costUsd: result.reportModel.totals.costUsd,
    ...(spend !== null ? { batch: true as const, listCostUsd: spend.listCostUsd, savedUsd: spend.savedUsd } : {}),
  });
}
