/**
 * What `dynflow run` and `dynflow resume` print on stdout without `--json`:
 * the run's status, branch, report, agents and spend, what stopped its script,
 * its warnings, one line per worker and the script's return value, and, for a
 * run that stopped short, how to go on with it. Pure.
 */
import type { JsonValue } from "../runtime/types.js";
import type { RunJson } from "./to-run-json.js";

const STATUS_TEXT: Record<RunJson["status"], string> = {
  ok: "finished",
  error: "failed",
  capped: "stopped at a cap",
  "budget-exhausted": "stopped: budget spent",
  cancelled: "cancelled",
};

/** The summary of a run that reached its report. */
export function formatSummary(json: RunJson): string {
  const merged = json.workers.filter((w) => ["accepted", "unverified", "unreviewed"].includes(w.status) && w.branch !== null).length;
  const lines = [
    `dynflow run ${json.runId} ${STATUS_TEXT[json.status]}.`,
    "",
    `Branch:  ${json.branch} at ${json.commit.slice(0, 12)} (${merged} of ${json.workers.length} workers merged${json.draft ? "; a pull request would be a draft" : ""})`,
    `Report:  ${json.report}`,
    `Agents:  ${json.agents.total} (max ${json.agents.maxConcurrent} at once, ${json.agents.failed} failed, ${json.agents.cached} from journal)`,
    `Spend:   ${json.tokens.input + json.tokens.cacheWrite + json.tokens.cacheRead} tokens in, ${json.tokens.output} out, $${json.costUsd.toFixed(4)}`,
  ];
  if (json.error) lines.push(`Error:   ${json.error.message}${json.error.line ? ` (script line ${json.error.line})` : ""}`);
  for (const warning of json.warnings) lines.push(`Warning: ${warning}`);
  if (json.workers.length > 0) {
    lines.push("", "Workers:");
    for (const w of json.workers) {
      const verdicts = w.verdicts.length > 0 ? w.verdicts.join(" → ") : "-";
      lines.push(`  ${w.label.padEnd(32)} ${w.status.padEnd(11)} ${String(w.rounds).padStart(2)} round(s)  ${verdicts}`);
    }
  }
  if (json.result !== null) lines.push("", "Result:", formatResult(json.result));
  return `${lines.join("\n")}\n`;
}

/**
 * How to go on with a run that stopped short (a cap, the budget, a cancel or
 * Ctrl-C, a script error): every status but `ok` can be resumed. Empty for `ok`.
 */
export function resumeHint(json: Pick<RunJson, "status" | "runId">, repoDir: string): string {
  return json.status === "ok" ? "" : `\nTo continue it (finished agents are not paid for again): dynflow resume ${json.runId} --repo ${shellWord(repoDir)}\n`;
}

/** The script's return value: a string as it is, anything else as indented JSON; long values cut, the full one is in --json. */
function formatResult(result: JsonValue): string {
  const text = typeof result === "string" ? result : JSON.stringify(result, null, 2);
  return text.length > RESULT_SHOWN ? `${text.slice(0, RESULT_SHOWN)}\n… (${text.length} characters in all; --json prints the whole value)` : text;
}

const RESULT_SHOWN = 4000;

/** A path as one shell word, quoted only when it needs to be. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}
