/**
 * Renders a check run's output from the progress snapshot: the same facts as
 * the status comment, within the Checks API's limits. Pure.
 */
import { formatUsd, groupDigits } from "../report/format-values.js";
import { CHECK_OUTPUT_LIMIT, fitBytes } from "./fit-text.js";
import { expectedAgents, renderErrorLine, renderLinksLine, renderLogBlock, renderPhaseTable, renderProgressLine, renderUsageLine, settledAgents } from "./render-progress-sections.js";
import type { CheckRunOutput, ProgressSnapshot, ProgressStatus, RenderProgressOptions } from "./types.js";

const STATUS_TITLES: Record<ProgressStatus, string> = {
  pending: "Starting",
  running: "Running",
  ok: "Finished",
  error: "Failed",
  capped: "Stopped at a cap",
  "budget-exhausted": "Budget ran out",
  cancelled: "Cancelled",
};

const TRUNCATED = "\n\n_… cut to fit the Checks API's size limit._\n";

/**
 * `title`: status, agents and cost in one line. `summary`: progress bar,
 * phases, spend, links. `text`: the log lines kept (absent without any). Each
 * field fits the Checks API's 65,535-byte limit.
 */
export function renderCheckRunSummary(snapshot: ProgressSnapshot, options: RenderProgressOptions): CheckRunOutput {
  const { total, estimated } = expectedAgents(snapshot, options.estimate);
  const agents = total === 0 ? "no agents" : `${groupDigits(settledAgents(snapshot))}/${estimated ? "~" : ""}${groupDigits(total)} agents`;
  const title = `${STATUS_TITLES[snapshot.status]} · ${agents} · ${formatUsd(snapshot.costUsd)}`;

  const parts: string[] = [];
  if (snapshot.error !== null) parts.push(renderErrorLine(snapshot.error));
  parts.push(renderProgressLine(snapshot, options.estimate));
  const table = renderPhaseTable(snapshot);
  if (table !== null) parts.push(table);
  parts.push(renderUsageLine(snapshot, options.estimate));
  for (const note of options.notes ?? []) parts.push(note);
  const links = renderLinksLine(options.links);
  if (links !== null) parts.push(links);
  const summary = fitBytes(`${parts.join("\n\n")}\n`, CHECK_OUTPUT_LIMIT, TRUNCATED);

  const log = renderLogBlock(snapshot.logs, snapshot.logCount, options.logLines ?? snapshot.logs.length);
  return log === null ? { title, summary } : { title, summary, text: fitBytes(`${log}\n`, CHECK_OUTPUT_LIMIT, TRUNCATED) };
}
