/**
 * The answer to `/dynflow status`: where the run is, what it has used, and
 * what can be done next. Pure.
 */
import { renderPhaseTable, renderProgressLine, renderUsageLine } from "../../progress/render-progress-sections.js";
import type { ProgressSnapshot } from "../../progress/types.js";
import { codeSpan, escapeInline, truncate } from "../../report/escape-markdown.js";
import { formatDuration, formatTokens, formatUsd, groupDigits } from "../../report/format-values.js";
import type { RunRecord, RunRecordStatus } from "../../store/index.js";
import { renderRunFacts } from "../surfaces/render-run-comments.js";
import { readRunResult } from "../run-record/run-result.js";
import { readStoredPlan, reportEstimateOf } from "../run-record/stored-plan.js";

const STATUS_WORDS: Record<RunRecordStatus, string> = {
  planned: "is planned and waits for `/dynflow approve`",
  "awaiting-approval": "is waiting for approval",
  queued: "is queued",
  running: "is running",
  ok: "finished",
  error: "failed",
  capped: "stopped at a cap",
  "budget-exhausted": "stopped when its budget ran out",
  cancelled: "was cancelled",
};

/** "is running", "finished", … for a sentence about the run. */
export function describeRunStatus(status: RunRecordStatus): string {
  return STATUS_WORDS[status];
}

/**
 * The reply. `snapshot` is the progress rebuilt from the run's stored events
 * (null when it has none yet); `now` dates the age of the run.
 */
export function renderRunStatus(run: RunRecord, snapshot: ProgressSnapshot | null, now: number): string {
  const parts = [`**dynflow run ${codeSpan(run.id)}** ${STATUS_WORDS[run.status]} (started ${formatDuration(Math.max(0, now - run.createdAt))} ago).`];
  parts.push(renderRunFacts(run));
  const plan = readStoredPlan(run.plan);
  if (plan.estimate !== undefined) {
    const estimate = plan.estimate;
    const figures = [
      `${groupDigits(estimate.agents)} agents`,
      `${formatTokens(estimate.tokens)} tokens`,
      formatUsd(estimate.costUsd),
      `about ${formatDuration(estimate.durationMs)}`,
    ];
    parts.push(`**Estimate** ${figures.join(" · ")}`);
  }
  if (snapshot !== null && snapshot.agents.total > 0) {
    const estimate = reportEstimateOf(plan);
    parts.push(renderProgressLine(snapshot, estimate));
    const table = renderPhaseTable(snapshot);
    if (table !== null) parts.push(table);
    parts.push(renderUsageLine(snapshot, estimate));
  }
  if (run.error !== null) parts.push(`**Why it stopped** ${escapeInline(truncate(run.error.message, 600))}`);
  const result = readRunResult(run.result);
  const pullRequest = result?.pullRequest;
  if (pullRequest) parts.push(`**Pull request** #${pullRequest.number}${pullRequest.draft === true ? " (draft)" : ""}`);
  const auditIssue = result?.audit?.issue;
  if (auditIssue) parts.push(`**Audit issue** #${auditIssue.number}`);
  const next = nextStep(run);
  if (next !== null) parts.push(next);
  return `${parts.join("\n\n")}\n`;
}

function nextStep(run: RunRecord): string | null {
  switch (run.status) {
    case "planned":
    case "awaiting-approval":
      return `Next: \`/dynflow approve ${run.id}\` starts it; \`/dynflow cancel ${run.id}\` drops it.`;
    case "queued":
    case "running":
      return `\`/dynflow cancel ${run.id}\` stops it and keeps what finished.`;
    case "error":
    case "capped":
    case "budget-exhausted":
    case "cancelled":
      return `\`/dynflow resume ${run.id}\` continues it; finished agents are not paid for again.`;
    case "ok":
      return null;
  }
}
