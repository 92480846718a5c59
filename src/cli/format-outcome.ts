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

export interface FormatOptions {
  title: string;
  /** Simulated time the plan takes, when the outcome is a simulation's. */
  durationMs?: number;
  /** Seed of a simulation's answers. */
  seed?: number;
}

/** The outcome as lines for the terminal: status, error, agents (failed ones with their reasons), spend, phases, result. */
export function formatOutcome(outcome: RunOutcome, options: FormatOptions): string {
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
  const models = new Map<string, number>();
  for (const agent of outcome.agents) if (typeof agent.meta.model === "string") models.set(agent.meta.model, (models.get(agent.meta.model) ?? 0) + 1);
  if (models.size > 0) lines.push(`Models:   ${[...models].sort(([a], [b]) => a.localeCompare(b)).map(([model, n]) => `${model} ×${n}`).join(", ")}`);
  if (options.durationMs !== undefined) lines.push(`Duration: ${formatSeconds(options.durationMs)} at ${stats.maxConcurrent} agents at once at most (simulated time)`);
  lines.push(`Time:     ${(outcome.wallMs / 1000).toFixed(2)} s${options.seed === undefined ? "" : ` (seed ${options.seed})`}`);
  const failed = outcome.agents.filter((agent) => agent.status === "failed");
  if (failed.length > 0) {
    lines.push("", "Failed agents:");
    for (const agent of failed.slice(0, 50)) lines.push(`  ${agent.id} ${agent.label}: ${agent.error ?? "unknown reason"}`);
    if (failed.length > 50) lines.push(`  … and ${failed.length - 50} more`);
  }
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

function formatSeconds(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds >= 120 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}
