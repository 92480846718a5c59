/**
 * The short states of a run's status comment outside its execution: planning,
 * queued, stopped before it started, failed outside its script. Pure.
 */
import { renderHeadline } from "../../progress/render-status-comment.js";
import { codeSpan, escapeInline, safeLogin, truncate } from "../../report/escape-markdown.js";
import { isObject } from "../../runtime/types.js";
import type { RunRecord } from "../../store/index.js";

/** The part of a run these renderers read. */
export type RunFacts = Pick<RunRecord, "id" | "kind" | "task" | "workflow" | "args" | "requester" | "baseRef" | "baseSha">;

const TASK_MAX = 300;
const ARGS_MAX = 200;

/** "**Task** …" or "**Workflow** `name` with args `…`", then the base and who asked. */
export function renderRunFacts(run: RunFacts): string {
  const lines: string[] = [];
  if (run.kind === "task" && run.task !== null) {
    lines.push(`**Task** ${escapeInline(truncate(run.task.trim(), TASK_MAX))}`);
  } else if (run.workflow !== null) {
    const args = run.args === null || (isObject(run.args) && Object.keys(run.args).length === 0);
    const shown = args ? "" : ` with args ${codeSpan(truncate(JSON.stringify(run.args), ARGS_MAX))}`;
    lines.push(`**${run.kind === "audit" ? "Audit" : "Workflow"}** ${codeSpan(run.workflow)}${shown}`);
  }
  const base = [run.baseRef !== null ? codeSpan(run.baseRef) : null, run.baseSha !== null ? `at ${codeSpan(run.baseSha.slice(0, 12))}` : null];
  const facts = [base.some(Boolean) ? `**Base** ${base.filter(Boolean).join(" ")}` : null];
  const login = safeLogin(run.requester ?? undefined);
  if (login !== null) facts.push(`requested by @${login}`);
  const line = facts.filter(Boolean).join(" · ");
  if (line !== "") lines.push(line);
  return lines.join("\n\n");
}

/** The status comment right after the command: the run exists and waits to be planned. */
export function renderPlanningComment(run: RunFacts): string {
  return [`### ⏳ dynflow run ${codeSpan(run.id)} is planning`, renderRunFacts(run), cancelHint(run.id)].join("\n\n") + "\n";
}

/** An approved or resumed run waiting for a free slot. */
export function renderQueuedComment(run: RunFacts, why: string): string {
  return [`### ⏳ dynflow run ${codeSpan(run.id)} is queued`, renderRunFacts(run), why, cancelHint(run.id)].join("\n\n") + "\n";
}

/** A run that ended before its script ran: cancelled while queued or planning, or failed there. */
export function renderStoppedComment(run: RunFacts, status: "cancelled" | "error", message: string): string {
  return [`### ${renderHeadline(status, run.id)}`, renderRunFacts(run), message].join("\n\n") + "\n";
}

/** A run that outgrew the estimate it started on without approval, and waits for one. */
export function renderPausedComment(run: RunFacts, reason: string, finished: number): string {
  return (
    [
      `### ⏸️ dynflow run ${codeSpan(run.id)} is waiting for approval`,
      renderRunFacts(run),
      `**Why** ${escapeInline(reason)}`,
      `${finished} agent${finished === 1 ? "" : "s"} finished; their work is kept and is not paid for again.`,
      `_\`/dynflow approve ${run.id}\` continues the run; \`/dynflow cancel ${run.id}\` ends it._`,
    ].join("\n\n") + "\n"
  );
}

function cancelHint(runId: string): string {
  return `_\`/dynflow cancel ${runId}\` stops it; \`/dynflow status ${runId}\` tells where it is._`;
}
