/**
 * Renders the status comment a run keeps editing while it goes: headline,
 * progress bar, phases, spend, the last log lines. Pure.
 */
import { codeSpan, escapeInline, truncate } from "../report/escape-markdown.js";
import { formatDuration } from "../report/format-values.js";
import { GITHUB_BODY_LIMIT } from "../report/render-report.js";
import { renderErrorLine, renderLinksLine, renderLogBlock, renderPhaseTable, renderProgressLine, renderUsageLine } from "./render-progress-sections.js";
import { fitLength } from "./fit-text.js";
import { statusMarker } from "./status-marker.js";
import type { ProgressSnapshot, ProgressStatus, RenderProgressOptions } from "./types.js";

const HEADLINES: Record<ProgressStatus, { icon: string; words: string }> = {
  pending: { icon: "⏳", words: "is starting" },
  running: { icon: "⏳", words: "is running" },
  ok: { icon: "✅", words: "finished" },
  error: { icon: "❌", words: "failed" },
  capped: { icon: "⚠️", words: "stopped at a cap" },
  "budget-exhausted": { icon: "⚠️", words: "stopped when its budget ran out" },
  cancelled: { icon: "⏹️", words: "was cancelled" },
};

/** Default number of log lines in the comment. */
const COMMENT_LOG_LINES = 5;

/** The headline sentence, e.g. "⏳ dynflow run `r-1` is running". */
export function renderHeadline(status: ProgressStatus, runId: string): string {
  const { icon, words } = HEADLINES[status];
  return `${icon} dynflow run ${codeSpan(runId)} ${words}`;
}

/**
 * The status comment's body. It opens with the hidden marker
 * `<!-- dynflow:status run=<id> -->` and never exceeds GitHub's comment limit.
 */
export function renderStatusComment(snapshot: ProgressSnapshot, options: RenderProgressOptions): string {
  const parts = [statusMarker(options.runId), `### ${renderHeadline(snapshot.status, options.runId)}`];

  const context: string[] = [];
  if (snapshot.workflow !== null) context.push(`**${escapeInline(truncate(snapshot.workflow, 100))}**`);
  if (snapshot.currentPhase !== null && snapshot.status === "running") {
    context.push(`phase **${escapeInline(truncate(snapshot.currentPhase, 100))}**`);
  }
  if (snapshot.startedAt !== null) context.push(`${formatDuration(snapshot.elapsedMs)} elapsed`);
  if (context.length > 0) parts.push(context.join(" · "));

  if (snapshot.error !== null) parts.push(renderErrorLine(snapshot.error));
  parts.push(renderProgressLine(snapshot, options.estimate));
  const table = renderPhaseTable(snapshot);
  if (table !== null) parts.push(table);
  parts.push(renderUsageLine(snapshot, options.estimate));
  const log = renderLogBlock(snapshot.logs, snapshot.logCount, options.logLines ?? COMMENT_LOG_LINES);
  if (log !== null) parts.push(log);
  for (const note of options.notes ?? []) parts.push(note);
  const links = renderLinksLine(options.links);
  if (links !== null) parts.push(links);

  const body = `${parts.join("\n\n")}\n`;
  // Every part is bounded, but the caller's notes are not: never let the edit fail on size.
  return fitLength(body, GITHUB_BODY_LIMIT, "…\n");
}
