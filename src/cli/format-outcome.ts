/**
 * Human-readable summary of a run outcome for the terminal.
 */
import type { RunOutcome } from "../runtime/types.js";

const STATUS_TEXT: Record<RunOutcome["status"], string> = {
  ok: "finished",
  error: "failed",
  capped: "stopped at a cap",
  "budget-exhausted": "stopped: budget spent",
  cancelled: "cancelled",
};

export function formatOutcome(outcome: RunOutcome, options: { title: string }): string {
  const lines: string[] = [options.title, ""];
  const name = outcome.meta ? `${outcome.meta.name} — ${outcome.meta.description}` : "(script did not load)";
  lines.push(`Script:   ${name}`);
  lines.push(`Status:   ${STATUS_TEXT[outcome.status]}`);
  if (outcome.error) {
    const where = outcome.error.line ? ` (${outcome.error.file ?? "script"} line ${outcome.error.line})` : "";
    lines.push(`Error:    ${outcome.error.message}${where}`);
  }
  const { stats } = outcome;
  lines.push(`Agents:   ${stats.total} (max ${stats.maxConcurrent} at once, ${stats.failed} failed, ${stats.cached} from journal)`);
  const u = outcome.usage;
  lines.push(
    `Tokens:   ${u.input + u.cacheWrite + u.cacheRead} in (${u.cacheRead} cache read, ${u.cacheWrite} cache write), ${u.output} out`,
  );
  lines.push(`Cost:     $${outcome.costUsd.toFixed(4)}`);
  lines.push(`Time:     ${(outcome.wallMs / 1000).toFixed(2)} s`);
  if (outcome.phases.length > 0) {
    lines.push("", "Phases:");
    for (const phase of outcome.phases) lines.push(`  ${phase.title.padEnd(32)} ${phase.agents} agents`);
  }
  for (const warning of outcome.warnings) lines.push(`Warning:  ${warning}`);
  if (outcome.result !== undefined) {
    const text = JSON.stringify(outcome.result, null, 2) ?? "undefined";
    lines.push("", "Result:", text.length > 2000 ? `${text.slice(0, 2000)}\n… (${text.length} characters)` : text);
  }
  return `${lines.join("\n")}\n`;
}
