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
  const task = model.task !== null ? `for the task “${escapeInline(truncate(model.task.trim(), TASK_MAX))}”` : null;
  // A workflow run by name says which, and the task its args gave it.
  const subject = model.workflow !== null ? `of workflow ${codeSpan(model.workflow)}${task ? ` ${task}` : ""}` : (task ?? `of workflow ${codeSpan("unnamed")}`);
  sentences.push(
    `**dynflow run ${codeSpan(model.runId)}** ${subject} on ${codeSpan(model.repository)} ` +
      `at ${codeSpan(model.base.commit.slice(0, 12))} (${codeSpan(model.base.branch)}) **${STATUS_WORDS[model.status]}**.`,
  );
  if (model.error !== null) sentences.push(endSentence(describeError(model)));

  sentences.push(convergenceSentence(model));

  const { agents, usage, costUsd, wallMs } = model.totals;
  const estimate = model.estimate ? ` (estimated ${formatUsd(model.estimate.costUsd)})` : "";
  sentences.push(
    `${plural(agents, "agent")} used ${formatTokens(totalTokens(usage))} tokens for ${formatUsd(costUsd)}${estimate} in ${formatDuration(wallMs)}.`,
  );

  const decision = isDraftWorthy(model);
  const merged = model.workers.some((w) => w.status === "accepted" || w.status === "unverified" || w.status === "unreviewed");
  sentences.push(
    decision.draft
      ? `This pull request is a **draft** because ${joinReasons(decision.reasons)}.`
      : merged
        ? "Nothing is left unconverged: this pull request is ready for review."
        : "Nothing needed a change, so there is nothing to merge.",
  );
  return sentences.join(" ");
}

/**
 * How many workers converged, counting every worker that ran: accepted ones
 * and ones that correctly needed no change. The same count as the table's rows.
 */
function convergenceSentence(model: ReportModel): string {
  const unchanged = model.unchanged?.length ?? 0;
  const total = model.workers.length + unchanged;
  if (total === 0) return "**No worker ran.**";
  const accepted = model.workers.filter((w) => w.status === "accepted").length;
  const parts = [accepted > 0 ? `${groupDigits(accepted)} accepted and merged` : "", unchanged > 0 ? `${groupDigits(unchanged)} needed no change` : ""].filter(Boolean);
  return `**${groupDigits(accepted + unchanged)} of ${plural(total, "worker")} converged**${parts.length > 0 ? ` (${parts.join(", ")})` : ""}.`;
}

function describeError(model: ReportModel): string {
  const error = model.error!;
  const where =
    error.line !== undefined ? ` (line ${error.line}${error.file !== undefined ? ` of ${codeSpan(error.file)}` : ""})` : "";
  return `Error ${codeSpan(error.code)}${where}: ${escapeInline(truncate(error.message, ERROR_MAX))}`;
}

/** A sentence ends with one stop, whether or not the quoted message brought its own. */
function endSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function joinReasons(reasons: string[]): string {
  if (reasons.length <= 1) return reasons.join("");
  return `${reasons.slice(0, -1).join(", ")} and ${reasons.at(-1)}`;
}
