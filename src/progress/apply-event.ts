/**
 * A run's progress as a pure reducer: `applyEvent(state, event)` folds one of
 * the runtime's events into a new state and never changes the one it was
 * given; `snapshotOf(state, now)` reads a snapshot out of it. No I/O, and
 * time only from the events and the `now` passed in, so the same events give
 * the same progress in the status comment, `/dynflow status` and the CLI.
 */
import { addUsage, ZERO_USAGE, type RunErrorInfo, type RunEvent, type TokenUsage } from "../runtime/types.js";
import type { AgentCounts, PhaseProgress, ProgressLogLine, ProgressSnapshot, ProgressStatus } from "./types.js";

type AgentState = "queued" | "running" | "done" | "failed" | "cached";

interface AgentEntry {
  /** Key of the phase group (see `phaseKey`). */
  readonly phase: string;
  readonly state: AgentState;
}

/**
 * Agents by id in a two-level table of small maps (64 x 64, by a hash of the
 * id), so that a new state copies two short arrays and one small map instead
 * of every agent of a run of thousands, and the old state stays as it was.
 */
type AgentTable = readonly (readonly ReadonlyMap<string, AgentEntry>[])[];

/** Everything the progress is read from. Plain data, never mutated. */
export interface ProgressState {
  readonly runId: string | null;
  readonly workflow: string | null;
  readonly status: ProgressStatus;
  readonly error: RunErrorInfo | null;
  readonly currentPhase: string | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly usage: TokenUsage;
  readonly costUsd: number;
  readonly budget: ProgressSnapshot["budget"];
  readonly logs: readonly ProgressLogLine[];
  readonly logCount: number;
  /** Phase keys to titles, in display order (insertion order). */
  readonly phases: ReadonlyMap<string, string | null>;
  readonly agents: AgentTable;
}

/** How much of the script's log the state keeps. */
export interface ProgressLimits {
  /** Log lines kept (the newest). Default 20. */
  logTail: number;
  /** Longest log line kept, in characters; longer ones are cut. Default 500. */
  maxLogLength: number;
}

export const DEFAULT_PROGRESS_LIMITS: Readonly<ProgressLimits> = Object.freeze({ logTail: 20, maxLogLength: 500 });

/** Slots per level of the agent table. */
const FANOUT = 64;
const EMPTY_ROW: readonly ReadonlyMap<string, AgentEntry>[] = Object.freeze(Array.from({ length: FANOUT }, () => new Map<string, AgentEntry>()));
const SETTLED: ReadonlySet<AgentState> = new Set(["done", "failed", "cached"]);
/** Map keys for phases; agents outside any phase share one key no title can produce. */
const NO_PHASE = "\u0000";
const phaseKey = (title: string | null) => title ?? NO_PHASE;

/** The progress before any event: pending, nothing counted. */
export const INITIAL_PROGRESS: ProgressState = Object.freeze({
  runId: null,
  workflow: null,
  status: "pending",
  error: null,
  currentPhase: null,
  startedAt: null,
  finishedAt: null,
  usage: { ...ZERO_USAGE },
  costUsd: 0,
  budget: { tokens: null, usd: null },
  logs: [],
  logCount: 0,
  phases: new Map(),
  agents: Array.from({ length: FANOUT }, () => EMPTY_ROW),
});

/** The state after `event`. Feed every `RunEvent` of one run, in order. */
export function applyEvent(state: ProgressState, event: RunEvent, limits: ProgressLimits = DEFAULT_PROGRESS_LIMITS): ProgressState {
  switch (event.type) {
    case "run.started": {
      const phases = (event.meta.phases ?? []).reduce((known, planned) => withPhase(known, planned.title), state.phases);
      // A run executed again (resumed, taken over after a restart) keeps its first start: elapsed covers the whole run.
      return { ...state, runId: event.runId, workflow: event.meta.name, status: "running", startedAt: state.startedAt ?? event.at, finishedAt: null, phases };
    }
    case "run.finished":
      return { ...state, runId: event.runId, status: event.status, error: event.error, finishedAt: event.at, startedAt: state.startedAt ?? event.at };
    case "phase":
      return { ...state, currentPhase: event.title, phases: withPhase(state.phases, event.title) };
    case "agent.queued":
      return { ...state, phases: withPhase(state.phases, event.phase), agents: withAgent(state.agents, event.agentId, { phase: phaseKey(event.phase), state: "queued" }) };
    case "agent.started": {
      const [known, entry] = agentOf(state, event.agentId);
      return entry.state === "queued" ? { ...known, agents: withAgent(known.agents, event.agentId, { ...entry, state: "running" }) } : known;
    }
    case "agent.finished":
      return settle(state, event.agentId, "done", event.usage, event.costUsd);
    case "agent.failed":
      return settle(state, event.agentId, "failed", event.usage, event.costUsd);
    case "agent.cached":
      return settle(state, event.agentId, "cached", event.usage, event.costUsd);
    case "log":
      return withLog(state, event, limits);
    case "budget":
      return { ...state, budget: { tokens: event.budgetTokens, usd: event.budgetUsd } };
    default:
      return state;
  }
}

/** The progress at `now()` (asked only while the run is going, for its elapsed time). */
export function snapshotOf(state: ProgressState, now: () => number): ProgressSnapshot {
  const byPhase = new Map<string, PhaseProgress>();
  for (const [key, title] of state.phases) byPhase.set(key, { title, ...emptyCounts() });
  const totals = emptyCounts();
  for (const row of state.agents) {
    for (const slot of row) {
      for (const entry of slot.values()) {
        const phase = byPhase.get(entry.phase)!;
        phase[entry.state]++;
        phase.total++;
        totals[entry.state]++;
        totals.total++;
      }
    }
  }
  const end = state.finishedAt ?? (state.startedAt === null ? null : now());
  return {
    runId: state.runId,
    workflow: state.workflow,
    status: state.status,
    error: state.error,
    currentPhase: state.currentPhase,
    phases: [...byPhase.values()],
    agents: totals,
    usage: { ...state.usage },
    costUsd: state.costUsd,
    budget: { ...state.budget },
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    elapsedMs: state.startedAt === null || end === null ? 0 : Math.max(0, end - state.startedAt),
    logs: state.logs.map((line) => ({ ...line })),
    logCount: state.logCount,
  };
}

/** A settled agent's usage is counted once, whatever arrives after. */
function settle(state: ProgressState, agentId: string, settled: AgentState, spent: TokenUsage, cost: number): ProgressState {
  const [known, entry] = agentOf(state, agentId);
  if (SETTLED.has(entry.state)) return known;
  return { ...known, agents: withAgent(known.agents, agentId, { ...entry, state: settled }), usage: addUsage(known.usage, spent), costUsd: known.costUsd + cost };
}

/** The agent's entry; an agent never queued (the events joined late) is counted outside any phase. */
function agentOf(state: ProgressState, agentId: string): [ProgressState, AgentEntry] {
  const [row, slot] = slotOf(agentId);
  const entry = state.agents[row]![slot]!.get(agentId);
  if (entry !== undefined) return [state, entry];
  const joined: AgentEntry = { phase: NO_PHASE, state: "queued" };
  return [{ ...state, phases: withPhase(state.phases, null), agents: withAgent(state.agents, agentId, joined) }, joined];
}

function withLog(state: ProgressState, event: Extract<RunEvent, { type: "log" }>, limits: ProgressLimits): ProgressState {
  const max = Math.max(1, limits.maxLogLength);
  const message = event.message.length > max ? `${event.message.slice(0, max - 1)}…` : event.message;
  const logs = [...state.logs, { level: event.level, message, at: event.at }];
  return { ...state, logs: logs.slice(Math.max(0, logs.length - Math.max(0, limits.logTail))), logCount: state.logCount + 1 };
}

function withPhase(phases: ReadonlyMap<string, string | null>, title: string | null): ReadonlyMap<string, string | null> {
  const key = phaseKey(title);
  return phases.has(key) ? phases : new Map([...phases, [key, title]]);
}

function withAgent(agents: AgentTable, agentId: string, entry: AgentEntry): AgentTable {
  const [row, slot] = slotOf(agentId);
  const nextRow = [...agents[row]!];
  nextRow[slot] = new Map(nextRow[slot]).set(agentId, entry);
  const next = [...agents];
  next[row] = nextRow;
  return next;
}

/** Where an id lives in the table: two slots from its FNV-1a hash. */
function slotOf(agentId: string): [row: number, slot: number] {
  let hash = 0x811c9dc5;
  for (let i = 0; i < agentId.length; i++) hash = Math.imul(hash ^ agentId.charCodeAt(i), 0x01000193);
  hash >>>= 0;
  return [hash % FANOUT, Math.floor(hash / FANOUT) % FANOUT];
}

function emptyCounts(): AgentCounts {
  return { queued: 0, running: 0, done: 0, failed: 0, cached: 0, total: 0 };
}
