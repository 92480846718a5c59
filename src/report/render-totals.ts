/**
 * Totals against the estimate made before the run.
 */
import { totalTokens } from "../runtime/types.js";
import { formatDuration, formatUsd, groupDigits } from "./format-values.js";
import type { ReportEstimate, ReportTotals } from "./types.js";

/** A table of what the run used, beside the estimate when there is one. */
export function renderTotals(totals: ReportTotals, estimate: ReportEstimate | null | undefined): string {
  const { usage } = totals;
  const rows: [string, string, string][] = [
    ["Agents", estimate ? groupDigits(estimate.agents) : "", groupDigits(totals.agents)],
    ["Tokens", estimate ? groupDigits(estimate.tokens) : "", groupDigits(totalTokens(usage))],
    ["↳ input", "", groupDigits(usage.input)],
    ["↳ output", "", groupDigits(usage.output)],
    ["↳ cache write", "", groupDigits(usage.cacheWrite)],
    ["↳ cache read", "", groupDigits(usage.cacheRead)],
    ["Cost", estimate ? formatUsd(estimate.costUsd) : "", formatUsd(totals.costUsd)],
    ["Wall time", "", formatDuration(totals.wallMs)],
  ];
  if (!estimate) {
    return ["| | Used |", "|---|--:|", ...rows.map(([name, , used]) => `| ${name} | ${used} |`)].join("\n");
  }
  return ["| | Estimate | Used |", "|---|--:|--:|", ...rows.map(([name, est, used]) => `| ${name} | ${est} | ${used} |`)].join(
    "\n",
  );
}
