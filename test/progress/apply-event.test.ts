/**
 * The progress reducer: a pure fold of run events. The state it is given is
 * never changed, so any earlier state can be kept, compared or replayed from.
 */
import { describe, expect, it } from "vitest";
import { applyEvent, INITIAL_PROGRESS, snapshotOf, type ProgressState } from "../../src/progress/apply-event.js";
import { createProgressTracker } from "../../src/progress/create-progress-tracker.js";
import type { RunEvent } from "../../src/runtime/types.js";
import { cappedMigrationEvents, runningMigrationEvents, T0 } from "./fixtures/migration-events.js";

const fold = (events: RunEvent[], from: ProgressState = INITIAL_PROGRESS) => events.reduce((state, event) => applyEvent(state, event), from);

describe("applyEvent", () => {
  it("keeps a run's first start when its events show it executed again (taken over, resumed)", () => {
    const meta = { name: "w", description: "" };
    const events: RunEvent[] = [
      { type: "run.started", runId: "r-1", at: T0, meta },
      { type: "run.finished", runId: "r-1", at: T0 + 1_000, status: "capped", error: null },
      { type: "run.started", runId: "r-1", at: T0 + 60_000, meta },
    ];
    const state = events.reduce((current: ProgressState, event) => applyEvent(current, event), INITIAL_PROGRESS);
    expect(snapshotOf(state, () => T0 + 90_000)).toMatchObject({ status: "running", startedAt: T0, elapsedMs: 90_000 });
  });

  it("never changes the state it is given", () => {
    const events = cappedMigrationEvents();
    const states = [INITIAL_PROGRESS];
    for (const event of events) states.push(applyEvent(states.at(-1)!, event));
    const before = states.map((state) => JSON.stringify(snapshotOf(state, () => T0 + 1)));
    // Replaying every event again on each earlier state changes none of them.
    for (const state of states) fold(events, state);
    expect(states.map((state) => JSON.stringify(snapshotOf(state, () => T0 + 1)))).toEqual(before);
    expect(snapshotOf(INITIAL_PROGRESS, () => T0)).toMatchObject({ status: "pending", agents: { total: 0 }, phases: [] });
  });

  it("gives the tracker's snapshots, event for event", () => {
    const tracker = createProgressTracker({ clock: { now: () => T0 + 252_000 } });
    let state = INITIAL_PROGRESS;
    for (const event of runningMigrationEvents()) {
      tracker.apply(event);
      state = applyEvent(state, event);
      expect(snapshotOf(state, () => T0 + 252_000)).toEqual(tracker.snapshot());
    }
  });

  it("asks for the time only while the run is going", () => {
    let asked = 0;
    const now = () => (asked++, T0);
    snapshotOf(INITIAL_PROGRESS, now);
    snapshotOf(fold(cappedMigrationEvents()), now);
    expect(asked).toBe(0);
    snapshotOf(fold(runningMigrationEvents()), now);
    expect(asked).toBe(1);
  });

  it("counts an agent it never saw queued outside any phase, and a settled agent's spend once", () => {
    const usage = { input: 10, output: 5, cacheWrite: 0, cacheRead: 0 };
    const state = fold([
      { type: "agent.finished", agentId: "a9", at: 5, usage, costUsd: 0.5, change: null },
      { type: "agent.failed", agentId: "a9", at: 6, usage, costUsd: 0.5, error: "late" },
    ] as RunEvent[]);
    const snapshot = snapshotOf(state, () => 0);
    expect(snapshot.phases).toEqual([{ title: null, queued: 0, running: 0, done: 1, failed: 0, cached: 0, total: 1 }]);
    expect(snapshot.costUsd).toBe(0.5);
    expect(snapshot.usage).toEqual(usage);
  });

  it("keeps the newest log lines, cut to the longest allowed", () => {
    const logs = Array.from({ length: 5 }, (_, i): RunEvent => ({ type: "log", level: "info", message: `line ${i} ${"x".repeat(20)}`, at: i }));
    const state = logs.reduce((current, event) => applyEvent(current, event, { logTail: 2, maxLogLength: 8 }), INITIAL_PROGRESS);
    expect(snapshotOf(state, () => 0)).toMatchObject({ logCount: 5, logs: [{ message: "line 3 …" }, { message: "line 4 …" }] });
  });
});
