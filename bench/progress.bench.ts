/**
 * The progress reducer (`applyEvent`) over the events of large runs: every
 * event builds a new state and leaves the old one as it was, so its cost per
 * event must stay flat as the run grows. Also the cost of one snapshot (what
 * each status comment edit and `/dynflow status` reads).
 */
import { applyEvent, INITIAL_PROGRESS, snapshotOf } from "../src/progress/apply-event.js";
import type { RunEvent } from "../src/runtime/types.js";
import type { BenchFigure } from "./types.js";

const USAGE = { input: 1_000, output: 100, cacheWrite: 0, cacheRead: 0 };

/** Each agent queued, started and finished, in five phases. */
function eventsOf(agents: number): RunEvent[] {
  const events: RunEvent[] = [];
  for (let i = 0; i < agents; i++) events.push({ type: "agent.queued", agentId: `a${i}`, label: `agent ${i}`, phase: `phase ${i % 5}`, role: "worker", at: i });
  for (let i = 0; i < agents; i++) events.push({ type: "agent.started", agentId: `a${i}`, at: i });
  for (let i = 0; i < agents; i++) events.push({ type: "agent.finished", agentId: `a${i}`, at: i, usage: USAGE, costUsd: 0.01, change: null });
  return events;
}

function fold(events: RunEvent[]): number {
  const started = performance.now();
  let state = INITIAL_PROGRESS;
  for (const event of events) state = applyEvent(state, event);
  const ms = performance.now() - started;
  snapshotOf(state, () => 0);
  return ms;
}

export async function bench(): Promise<BenchFigure[]> {
  fold(eventsOf(2_000)); // warm-up
  const figures: BenchFigure[] = [];
  for (const agents of [1_000, 10_000, 50_000]) {
    const events = eventsOf(agents);
    const ms = Math.min(fold(events), fold(events));
    figures.push({ name: `applyEvent per event, ${agents.toLocaleString("en")} agents`, value: (ms * 1000) / events.length, unit: "µs", target: "≤ 50 µs", pass: (ms * 1000) / events.length <= 50 });
    let state = INITIAL_PROGRESS;
    for (const event of events) state = applyEvent(state, event);
    const started = performance.now();
    snapshotOf(state, () => 0);
    figures.push({ name: `snapshot of ${agents.toLocaleString("en")} agents`, value: performance.now() - started, unit: "ms" });
  }
  return figures;
}
