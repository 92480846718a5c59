/**
 * The pieces the status comment and the check run share, so both always
 * state the same facts. Untrusted text (phase titles, log lines, error
 * messages) is escaped or fenced here.
 */
import { cell, codeSpan, escapeInline, fenceFor, safeUrl, showDisplayControls, truncate } from "../report/escape-markdown.js";
import { formatDuration, formatTokens, formatUsd, groupDigits } from "../report/format-values.js";
import type { ReportEstimate } from "../report/types.js";
import { totalTokens, type RunErrorInfo } from "../runtime/types.js";
import { percent, renderProgressBar } from "./render-progress-bar.js";
import type { PhaseProgress, ProgressLinks, ProgressLogLine, ProgressSnapshot, ProgressStatus } from "./types.js";

/** Most phases listed; a script with more still gets a bounded table. */
const PHASE_ROWS_MAX = 30;
const LOG_LINE_MAX = 300;
const ERROR_MAX = 600;

/** Whether the run has ended (whatever its outcome). */
export function isFinal(status: ProgressStatus): boolean {
  return status !== "pending" && status !== "running";
}

/** Agents that have settled (finished, replayed or failed). */
export function settledAgents(snapshot: ProgressSnapshot): number {
  const { done, cached, failed } = snapshot.agents;
  return done + cached + failed;
}

/**
 * What the bar counts against: while the run is going, the estimate's agents
 * when more than are known yet (scripts queue agents as they go); at the end,
 * the agents that really ran.
 */
export function expectedAgents(snapshot: ProgressSnapshot, estimate: ReportEstimate | null | undefined): { total: number; estimated: boolean } {
  const known = snapshot.agents.total;
  if (!isFinal(snapshot.status) && estimate && estimate.agents > known) return { total: estimate.agents, estimated: true };
  return { total: known, estimated: false };
}

/** "`▓▓▓░░` **12/30** agents (40%) · 1 failed · 4 running · 14 queued". */
export function renderProgressLine(snapshot: ProgressSnapshot, estimate: ReportEstimate | null | undefined): string {
  const { agents, status } = snapshot;
  if (agents.total === 0) return isFinal(status) ? "No agents ran." : "No agents started yet.";
  const settled = settledAgents(snapshot);
  const { total, estimated } = expectedAgents(snapshot, estimate);
  const parts = [
    `${codeSpan(renderProgressBar(settled, total))} **${groupDigits(settled)}/${estimated ? "~" : ""}${groupDigits(total)}** agents (${percent(settled, total)}%)`,
  ];
  if (agents.failed > 0) parts.push(`${groupDigits(agents.failed)} failed`);
  if (agents.cached > 0) parts.push(`${groupDigits(agents.cached)} replayed`);
  if (agents.running > 0) parts.push(`${groupDigits(agents.running)} running`);
  if (agents.queued > 0) parts.push(`${groupDigits(agents.queued)} ${isFinal(status) ? "never started" : "queued"}`);
  return parts.join(" · ");
}

/** A table of phases with their agents by state and a small bar each; null when there are no phases. */
export function renderPhaseTable(snapshot: ProgressSnapshot): string | null {
  const phases = snapshot.phases;
  if (phases.length === 0) return null;
  const queuedHeading = isFinal(snapshot.status) ? "Not started" : "Queued";
  // The current phase is marked only while the run is going.
  const current = isFinal(snapshot.status) ? null : snapshot.currentPhase;
  const rows = phases.slice(0, PHASE_ROWS_MAX).map((phase) => renderPhaseRow(phase, current));
  const hidden = phases.length - rows.length;
  if (hidden > 0) rows.push(`| _… ${groupDigits(hidden)} more phases_ | | | | | | |`);
  return [
    `| Phase | Done | Running | ${queuedHeading} | Failed | Replayed | Progress |`,
    "|---|--:|--:|--:|--:|--:|---|",
    ...rows,
  ].join("\n");
}

function renderPhaseRow(phase: PhaseProgress, current: string | null): string {
  const title = phase.title === null ? "_(no phase)_" : cell(phase.title, 80);
  const marked = phase.title !== null && phase.title === current ? `**${title}**` : title;
  const settled = phase.done + phase.cached + phase.failed;
  const bar = phase.total === 0 ? "—" : `${codeSpan(renderProgressBar(settled, phase.total, 10))} ${groupDigits(settled)}/${groupDigits(phase.total)}`;
  const n = (value: number) => groupDigits(value);
  return `| ${marked} | ${n(phase.done)} | ${n(phase.running)} | ${n(phase.queued)} | ${n(phase.failed)} | ${n(phase.cached)} | ${bar} |`;
}

/** "**Tokens** 1.23M (input … · output …) · **Cost** $4.20 of $50.00 budget (estimated $5.00) · **Elapsed** 4m 12s". */
export function renderUsageLine(snapshot: ProgressSnapshot, estimate: ReportEstimate | null | undefined): string {
  const { usage, budget } = snapshot;
  const kinds = [
    `input ${formatTokens(usage.input)}`,
    `output ${formatTokens(usage.output)}`,
    `cache write ${formatTokens(usage.cacheWrite)}`,
    `cache read ${formatTokens(usage.cacheRead)}`,
  ].join(" · ");
  const tokenBudget = budget.tokens !== null ? ` of ${formatTokens(budget.tokens)} budget` : "";
  const usdBudget = budget.usd !== null ? ` of ${formatUsd(budget.usd)} budget` : "";
  const estimated = estimate ? ` (estimated ${formatUsd(estimate.costUsd)})` : "";
  return [
    `**Tokens** ${formatTokens(totalTokens(usage))}${tokenBudget} (${kinds})`,
    `**Cost** ${formatUsd(snapshot.costUsd)}${usdBudget}${estimated}`,
    `**Elapsed** ${formatDuration(snapshot.elapsedMs)}`,
  ].join(" · ");
}

/** "Error `code` (line 12 of `script.js`): message", escaped. */
export function renderErrorLine(error: RunErrorInfo): string {
  const where = error.line !== undefined ? ` (line ${error.line}${error.file !== undefined ? ` of ${codeSpan(error.file)}` : ""})` : "";
  return `**Error** ${codeSpan(error.code)}${where}: ${escapeInline(truncate(error.message, ERROR_MAX))}`;
}

/** The last `count` log lines in a fence (the script's words are never rendered as markdown); null without any. */
export function renderLogBlock(logs: readonly ProgressLogLine[], logCount: number, count: number): string | null {
  const shown = count > 0 ? logs.slice(-count) : [];
  if (shown.length === 0) return null;
  const text = shown
    .map((line) => `${line.level === "warn" ? "warn" : "info"}  ${truncate(oneLine(line.message), LOG_LINE_MAX)}`)
    .join("\n");
  const fence = fenceFor(text);
  const heading = logCount > shown.length ? `Log (last ${shown.length} of ${groupDigits(logCount)} lines)` : "Log";
  return [`<details><summary>${heading}</summary>`, "", `${fence}text`, text, fence, "", "</details>"].join("\n");
}

/** One line of plain text: control characters dropped, whitespace runs collapsed. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return showDisplayControls(text.replace(/[\u0000-\u0008\u000e-\u001f\u007f]/g, "")).replace(/\s+/g, " ").trim();
}

/** "[Pull request](…) · [Check run](…) · [Command](…)"; null when no link is usable. */
export function renderLinksLine(links: ProgressLinks | undefined): string | null {
  const parts: string[] = [];
  const add = (name: string, url: string | undefined) => {
    const safe = safeUrl(url);
    if (safe !== null) parts.push(`[${name}](${safe})`);
  };
  add("Pull request", links?.pullRequestUrl);
  add("Check run", links?.checkRunUrl);
  add("Command", links?.commentUrl);
  add("Dashboard", links?.dashboardUrl);
  return parts.length > 0 ? parts.join(" · ") : null;
}
