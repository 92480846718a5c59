/**
 * Folds the runtime's events into a progress snapshot. Pure state: no I/O,
 * time only from the injected clock.
 */
import { addUsage, ZERO_USAGE, type RunEvent, type RunErrorInfo, type TokenUsage } from "../runtime/types.js";
import { systemClock, type Clock } from "../time.js";
import type { AgentCounts, PhaseProgress, ProgressLogLine, ProgressSnapshot, ProgressStatus } from "./types.js";

export interface ProgressTrackerOptions {
  /** Time source for the elapsed time of a run still going. Default: the system clock. */
  clock?: Clock;
  /** Log lines kept (the newest). Default 20. */
  logTail?: number;
  /** Longest log line kept, in characters; longer ones are cut. Default 500. */
  maxLogLength?: number;
}

export interface ProgressTracker {
  /** Feeds one event. Bound: pass it as the runtime's `onEvent`. */
  readonly apply: (event: RunEvent) => void;
  /** The progress so far. */
  snapshot(): ProgressSnapshot;
}

type AgentState = "queued" | "running" | "done" | "failed" | "cached";

interface AgentEntry {
  /** Key of the phase group (see `phaseKey`). */
  phase: string;
  state: AgentState;
}

const SETTLED: ReadonlySet<AgentState> = new Set(["done", "failed", "cached"]);

/** Map keys for phases; agents outside any phase share one key no title can produce. */
const NO_PHASE = "\u0000";
const phaseKey = (title: string | null) => title ?? NO_PHASE;

/** Creates a tracker; feed it every `RunEvent` of one run, in order. */
export function createProgressTracker(options: ProgressTrackerOptions = {}): ProgressTracker {
  const clock = options.clock ?? systemClock;
  const logTail = Math.max(0, options.logTail ?? 20);
  const maxLogLength = Math.max(1, options.maxLogLength ?? 500);

  let runId: string | null = null;
  let workflow: string | null = null;
  let status: ProgressStatus = "pending";
  let error: RunErrorInfo | null = null;
  let currentPhase: string | null = null;
  let startedAt: number | null = null;
  let finishedAt: number | null = null;
  let usage: TokenUsage = { ...ZERO_USAGE };
  let costUsd = 0;
  let budget: ProgressSnapshot["budget"] = { tokens: null, usd: null };
  let logs: ProgressLogLine[] = [];
  let logCount = 0;
  // Insertion order is display order.
  const phases = new Map<string, string | null>();
  const agents = new Map<string, AgentEntry>();

  const notePhase = (title: string | null) => {
    if (!phases.has(phaseKey(title))) phases.set(phaseKey(title), title);
  };

  const agentFor = (agentId: string): AgentEntry => {
    let entry = agents.get(agentId);
    if (entry === undefined) {
      // An event for an agent never queued (the tracker joined late): count it outside any phase.
      notePhase(null);
      entry = { phase: NO_PHASE, state: "queued" };
      agents.set(agentId, entry);
    }
    return entry;
  };

  const settle = (agentId: string, state: AgentState, spent: TokenUsage, cost: number) => {
    const entry = agentFor(agentId);
    // A settled agent's usage is counted once, whatever arrives after.
    if (SETTLED.has(entry.state)) return;
    entry.state = state;
    usage = addUsage(usage, spent);
    costUsd += cost;
  };

  const apply = (event: RunEvent): void => {
    switch (event.type) {
      case "run.started":
        runId = event.runId;
        workflow = event.meta.name;
        status = "running";
        startedAt = event.at;
        for (const planned of event.meta.phases ?? []) notePhase(planned.title);
        break;
      case "run.finished":
        runId = event.runId;
        status = event.status;
        error = event.error;
        finishedAt = event.at;
        startedAt ??= event.at;
        break;
      case "phase":
        currentPhase = event.title;
        notePhase(event.title);
        break;
      case "agent.queued":
        notePhase(event.phase);
        agents.set(event.agentId, { phase: phaseKey(event.phase), state: "queued" });
        break;
      case "agent.started": {
        const entry = agentFor(event.agentId);
        if (entry.state === "queued") entry.state = "running";
        break;
      }
      case "agent.finished":
        settle(event.agentId, "done", event.usage, event.costUsd);
        break;
      case "agent.failed":
        settle(event.agentId, "failed", event.usage, event.costUsd);
        break;
      case "agent.cached":
        settle(event.agentId, "cached", event.usage, event.costUsd);
        break;
      case "log": {
        logCount++;
        const message = event.message.length > maxLogLength ? `${event.message.slice(0, maxLogLength - 1)}…` : event.message;
        logs.push({ level: event.level, message, at: event.at });
        if (logs.length > logTail) logs = logs.slice(logs.length - logTail);
        break;
      }
      case "budget":
        budget = { tokens: event.budgetTokens, usd: event.budgetUsd };
        break;
    }
  };

  const snapshot = (): ProgressSnapshot => {
    const byPhase = new Map<string, PhaseProgress>();
    for (const [key, title] of phases) byPhase.set(key, { title, ...emptyCounts() });
    const totals = emptyCounts();
    for (const entry of agents.values()) {
      const phase = byPhase.get(entry.phase)!;
      phase[entry.state]++;
      phase.total++;
      totals[entry.state]++;
      totals.total++;
    }
    const end = finishedAt ?? (startedAt === null ? null : clock.now());
    return {
      runId,
      workflow,
      status,
      error,
      currentPhase,
      phases: [...byPhase.values()],
      agents: totals,
      usage: { ...usage },
      costUsd,
      budget: { ...budget },
      startedAt,
      finishedAt,
      elapsedMs: startedAt === null || end === null ? 0 : Math.max(0, end - startedAt),
      logs: logs.map((line) => ({ ...line })),
      logCount,
    };
  };

  return { apply, snapshot };
}

function emptyCounts(): AgentCounts {
  return { queued: 0, running: 0, done: 0, failed: 0, cached: 0, total: 0 };
}
