/**
 * A run's agents as a timeline, built from its stored progress events: when
 * each agent was queued, started and ended, and how it ended. Pure.
 */
import type { RunEvent } from "../runtime/types.js";

/** q queued, r running, d finished, x failed, c replayed from the journal, s stopped. */
export type AgentState = "q" | "r" | "d" | "x" | "c" | "s";

export interface TimelineAgent {
  id: string;
  label: string;
  role: string;
  phase: string | null;
  /** Milliseconds since the run started. */
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  state: AgentState;
  costUsd: number;
  error: string | null;
}

export interface Timeline {
  /** When the script started (ms), or null before it did. */
  t0: number | null;
  /** Milliseconds from start to finish, or null while running. */
  finishedAfter: number | null;
  status: string | null;
  phase: string | null;
  agents: TimelineAgent[];
  spentUsd: number;
  spentTokens: number;
  /** Sequence number of the last event read. */
  lastSeq: number;
}

/** Applies the events in order; events of agents never queued are ignored. */
export function buildTimeline(events: readonly { seq: number; event: RunEvent }[]): Timeline {
  const timeline: Timeline = { t0: null, finishedAfter: null, status: null, phase: null, agents: [], spentUsd: 0, spentTokens: 0, lastSeq: 0 };
  const byId = new Map<string, TimelineAgent>();
  const rel = (at: number) => (timeline.t0 === null ? 0 : at - timeline.t0);
  for (const { seq, event } of events) {
    timeline.lastSeq = seq;
    switch (event.type) {
      case "run.started":
        // A resumed run starts again: its timeline restarts with it.
        timeline.t0 = event.at;
        timeline.status = "running";
        timeline.finishedAfter = null;
        byId.clear();
        timeline.agents = [];
        break;
      case "run.finished":
        timeline.status = event.status;
        timeline.finishedAfter = rel(event.at);
        break;
      case "phase":
        timeline.phase = event.title;
        break;
      case "agent.queued": {
        const agent: TimelineAgent = { id: event.agentId, label: event.label, role: event.role, phase: event.phase, queuedAt: rel(event.at), startedAt: null, endedAt: null, state: "q", costUsd: 0, error: null };
        byId.set(agent.id, agent);
        timeline.agents.push(agent);
        break;
      }
      case "agent.started": {
        const agent = byId.get(event.agentId);
        if (agent) Object.assign(agent, { startedAt: rel(event.at), state: "r" });
        break;
      }
      case "agent.finished":
      case "agent.cached":
      case "agent.failed": {
        const agent = byId.get(event.agentId);
        if (!agent) break;
        agent.endedAt = rel(event.at);
        agent.costUsd = event.costUsd;
        agent.state = event.type === "agent.finished" ? "d" : event.type === "agent.cached" ? "c" : event.stopped ? "s" : "x";
        if (event.type === "agent.failed") agent.error = event.error;
        break;
      }
      case "budget":
        timeline.spentUsd = event.spentUsd;
        timeline.spentTokens = event.spentTokens;
        break;
      default:
        break;
    }
  }
  return timeline;
}

export const STATE_NAMES: Record<AgentState, string> = { q: "queued", r: "running", d: "finished", x: "failed", c: "cached", s: "stopped" };
