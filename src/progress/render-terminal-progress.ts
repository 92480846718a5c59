/**
 * Text of a run's progress for a terminal: a block redrawn in place on a
 * terminal, or one plain line per event for pipes and CI logs. Pure.
 */
import type { ProgressSnapshot } from "./types.js";
import { renderProgressBar } from "./render-progress-bar.js";
import { formatDuration, formatTokens, formatUsd } from "../report/format-values.js";
import { totalTokens, type RunEvent } from "../runtime/types.js";
import type { WorkflowStage } from "../run/types.js";

const STAGE_TEXT: Record<WorkflowStage, string> = {
  plan: "planning",
  run: "running",
  reconcile: "merging accepted changes",
  report: "writing the report",
};

const BAR_WIDTH = 24;
const LOG_WIDTH = 100;

/**
 * The live block: where the run is, agents by state with a bar, spend, time
 * and the latest log line. Its first line names the run (`dynflow run <id>`)
 * or whatever `title` says (a simulation).
 */
export function renderProgressBlock(snapshot: ProgressSnapshot, view: { runId?: string; title?: string; stage: WorkflowStage | null }): string[] {
  const { agents } = snapshot;
  const settled = agents.done + agents.cached + agents.failed;
  const where = view.stage === "run" && snapshot.currentPhase !== null ? `phase ${snapshot.currentPhase}` : STAGE_TEXT[view.stage ?? "plan"];
  const extra = [agents.cached > 0 ? `${agents.cached} from journal` : "", agents.failed > 0 ? `${agents.failed} failed` : ""].filter(Boolean);
  const lines = [
    `${view.title ?? `dynflow run ${view.runId ?? ""}`} · ${where}`,
    `${renderProgressBar(settled, agents.total, BAR_WIDTH)} agents ${agents.done + agents.cached} done, ${agents.running} running, ${agents.queued} queued${extra.map((e) => `, ${e}`).join("")}`,
    `${formatTokens(totalTokens(snapshot.usage))} tokens · ${formatUsd(snapshot.costUsd)} · ${formatDuration(snapshot.elapsedMs)}`,
  ];
  const last = snapshot.logs.at(-1);
  // One line only, cut to a terminal's width, so the block keeps its height.
  if (last !== undefined) lines.push(`${last.level === "warn" ? "warning" : "log"}: ${last.message.replace(/\s+/g, " ").slice(0, LOG_WIDTH)}`);
  return lines;
}

/** One plain line for an event worth a line (phases, settled agents, logs), else null. */
export function renderProgressLine(event: RunEvent, labelOf: (agentId: string) => string): string | null {
  switch (event.type) {
    case "phase":
      return `phase: ${event.title}`;
    case "agent.finished":
      return `agent done: ${labelOf(event.agentId)} (${formatUsd(event.costUsd)})`;
    case "agent.cached":
      return `agent done (from journal): ${labelOf(event.agentId)}`;
    case "agent.failed":
      return `agent failed: ${labelOf(event.agentId)}: ${event.error}`;
    case "log":
      return `${event.level === "warn" ? "warning" : "log"}: ${event.message.replace(/\s*\n\s*/g, " ")}`;
    default:
      return null;
  }
}

/** The plain line for entering a stage. */
export function renderStageLine(stage: WorkflowStage): string {
  return `${STAGE_TEXT[stage]}…`;
}
