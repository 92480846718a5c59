/**
 * The per-worker table: one row per worker's line of work.
 */
import type { WorkerOutcome } from "../agents/types.js";
import type { UnchangedWorker } from "./types.js";
import { totalTokens } from "../runtime/types.js";
import { cell } from "./escape-markdown.js";
import { formatTokens, formatUsd, groupDigits, plural } from "./format-values.js";

const HEADER = ["| Worker | Status | Rounds | Verdicts | Files | Lines | Tokens | Cost |", "|---|---|--:|---|--:|--:|--:|--:|"];

/**
 * Renders the table with at most `maxRows` rows, in the given order; the rest
 * are counted in a final "… N more workers" row.
 */
export function renderWorkersTable(workers: readonly WorkerOutcome[], maxRows = Infinity, unchanged: readonly UnchangedWorker[] = []): string {
  const all = [...workers.map(renderRow), ...unchanged.map(renderUnchangedRow)];
  if (all.length === 0) return "No worker ran.";
  const shown = all.slice(0, Math.max(0, maxRows));
  const rows = shown;
  const hidden = all.length - shown.length;
  if (hidden > 0) rows.push(`| … ${plural(hidden, "more worker")} | | | | | | | |`);
  return [...HEADER, ...rows].join("\n");
}

function renderRow(worker: WorkerOutcome): string {
  const change = worker.change;
  const verdicts = worker.verdicts.length > 0 ? worker.verdicts.join(" → ") : "—";
  const files = change ? groupDigits(change.files.length) : "—";
  const lines = change ? `+${groupDigits(change.additions)} −${groupDigits(change.deletions)}` : "—";
  const cells = [
    cell(worker.label, 80),
    worker.status,
    groupDigits(worker.rounds),
    verdicts,
    files,
    lines,
    formatTokens(totalTokens(worker.usage)),
    formatUsd(worker.costUsd),
  ];
  return `| ${cells.join(" | ")} |`;
}

/** A worker that changed nothing: converged, with no files and no verdicts of its own. */
function renderUnchangedRow(worker: UnchangedWorker): string {
  const cells = [cell(worker.label, 80), NO_CHANGE, groupDigits(worker.rounds), "—", "—", "—", formatTokens(totalTokens(worker.usage)), formatUsd(worker.costUsd)];
  return `| ${cells.join(" | ")} |`;
}

/** The status word of a worker that needed no change, everywhere in the report. */
export const NO_CHANGE = "no change needed";
