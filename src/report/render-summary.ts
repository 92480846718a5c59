/**
 * The report's opening paragraph: what ran, how it ended, how much of it
 * converged, and why the pull request is a draft if it is one. It is always
 * kept whole when the report is shortened.
 */
import type { RunStatus } from "../runtime/types.js";
import { totalTokens } from "../runtime/types.js";
import { codeSpan, escapeInline, truncate } from "./escape-markdown.js";
import { formatDuration, formatTokens, formatUsd, groupDigits, plural } from "./format-values.js";
import { isDraftWorthy } from "./is-draft-worthy.js";
import type { ReportModel } from "./types.js";

const STATUS_WORDS: Record<RunStatus, string> = {
  ok: "finished",
  error: "failed",
  capped: "stopped at a cap",
  "budget-exhausted": "stopped when its budget ran out",
  cancelled: "was cancelled",
};

/** Longest task text quoted in the summary; the full task is in the command comment. */
const TASK_MAX = 300;
const ERROR_MAX = 600;

/** Renders the summary paragraph. */
export function renderSummary(model: ReportModel): string {
  const sentences: string[] = [];
  const subject =
    model.task !== null
      ? `for the task “${escapeInline(truncate(model.task.trim(), TASK_MAX))}”`
      : `of workflow ${codeSpan(model.workflow ?? "unnamed")}`;
  sentences.push(
    `**dynflow run ${codeSpan(model.runId)}** ${subject} on ${codeSpan(model.repository)} ` +
      `at ${codeSpan(model.base.commit.slice(0, 12))} (${codeSpan(model.base.branch)}) **${STATUS_WORDS[model.status]}**.`,
  );
  if (model.error !== null) sentences.push(`${describeError(model)}.`);

  const accepted = model.workers.filter((w) => w.status === "accepted").length;
  sentences.push(`**${groupDigits(accepted)} of ${plural(model.workers.length, "worker")} accepted** and merged.`);

  const { agents, usage, costUsd, wallMs } = model.totals;
  const estimate = model.estimate ? ` (estimated ${formatUsd(model.estimate.costUsd)})` : "";
  sentences.push(
    `${plural(agents, "agent")} used ${formatTokens(totalTokens(usage))} tokens for ${formatUsd(costUsd)}${estimate} in ${formatDuration(wallMs)}.`,
  );

  const decision = isDraftWorthy(model);
  sentences.push(
    decision.draft
      ? `This pull request is a **draft** because ${joinReasons(decision.reasons)}.`
      : "Nothing is left unconverged: this pull request is ready for review.",
  );
  return sentences.join(" ");
}

function describeError(model: ReportModel): string {
  const error = model.error!;
  const where =
    error.line !== undefined ? ` (line ${error.line}${error.file !== undefined ? ` of ${codeSpan(error.file)}` : ""})` : "";
  return `Error ${codeSpan(error.code)}${where}: ${escapeInline(truncate(error.message, ERROR_MAX))}`;
}

function joinReasons(reasons: string[]): string {
  if (reasons.length <= 1) return reasons.join("");
  return `${reasons.slice(0, -1).join(", ")} and ${reasons.at(-1)}`;
}
