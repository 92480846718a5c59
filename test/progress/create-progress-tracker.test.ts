import { describe, expect, it } from "vitest";
import { createProgressTracker } from "../../src/progress/create-progress-tracker.js";
import type { Clock, RunEvent } from "../../src/runtime/types.js";
import { cappedMigrationEvents, runningMigrationEvents, T0 } from "./fixtures/migration-events.js";

function clockAt(ms: number): Clock & { set(ms: number): void } {
  let now = ms;
  return { now: () => now, set: (value) => (now = value) };
}

function track(events: RunEvent[], clock: Clock = clockAt(T0), logTail?: number) {
  const tracker = createProgressTracker({ clock, logTail });
  events.forEach(tracker.apply);
  return tracker;
}

describe("createProgressTracker", () => {
  it("counts elapsed time from the run's first start when it is executed again (taken over, resumed)", () => {
    const clock = clockAt(T0 + 600_000);
    const tracker = createProgressTracker({ clock, startedAt: T0 });
    tracker.apply({ type: "run.started", runId: "r-1", at: T0 + 500_000, meta: { name: "w", description: "" } });
    expect(tracker.snapshot()).toMatchObject({ startedAt: T0, elapsedMs: 600_000 });
  });

  it("starts pending, with nothing counted", () => {
    const snapshot = createProgressTracker({ clock: clockAt(T0) }).snapshot();
    expect(snapshot).toMatchObject({ status: "pending", runId: null, elapsedMs: 0, phases: [], logs: [], logCount: 0 });
    expect(snapshot.agents.total).toBe(0);
  });

  it("counts agents per phase and state, in planned phase order", () => {
    const snapshot = track(runningMigrationEvents(), clockAt(T0 + 252_000)).snapshot();

    expect(snapshot.status).toBe("running");
    expect(snapshot.runId).toBe("r-7f3a");
    expect(snapshot.workflow).toBe("migrate-fetch-json");
    expect(snapshot.currentPhase).toBe("Migrate");
    expect(snapshot.phases.map((p) => p.title)).toEqual(["Survey", "Migrate", "Review"]);
    expect(snapshot.phases[0]).toEqual({ title: "Survey", queued: 0, running: 0, done: 1, failed: 0, cached: 0, total: 1 });
    expect(snapshot.phases[1]).toEqual({ title: "Migrate", queued: 2, running: 2, done: 2, failed: 1, cached: 1, total: 8 });
    expect(snapshot.phases[2]).toEqual({ title: "Review", queued: 0, running: 1, done: 0, failed: 0, cached: 0, total: 1 });
    expect(snapshot.agents).toEqual({ queued: 2, running: 3, done: 3, failed: 1, cached: 1, total: 10 });
  });

  it("sums usage and cost of settled agents, failed and replayed ones included", () => {
    const snapshot = track(runningMigrationEvents()).snapshot();
    expect(snapshot.usage).toEqual({ input: 83_000, output: 22_600, cacheWrite: 20_000, cacheRead: 260_000 });
    expect(snapshot.costUsd).toBeCloseTo(0.31 + 0.12 + 0.9 + 0.05 + 0.85, 10);
    expect(snapshot.budget).toEqual({ tokens: 2_000_000, usd: 25 });
  });

  it("measures elapsed time with the injected clock while running, and from the events once finished", () => {
    const clock = clockAt(T0 + 252_000);
    const tracker = track(runningMigrationEvents(), clock);
    expect(tracker.snapshot().elapsedMs).toBe(252_000);
    clock.set(T0 + 300_000);
    expect(tracker.snapshot().elapsedMs).toBe(300_000);

    for (const event of cappedMigrationEvents().slice(runningMigrationEvents().length)) tracker.apply(event);
    clock.set(T0 + 999_000);
    const snapshot = tracker.snapshot();
    expect(snapshot.status).toBe("capped");
    expect(snapshot.error?.code).toBe("cap_exceeded");
    expect(snapshot.elapsedMs).toBe(570_000);
    expect(snapshot.finishedAt).toBe(T0 + 570_000);
    expect(snapshot.agents).toEqual({ queued: 2, running: 0, done: 6, failed: 1, cached: 1, total: 10 });
  });

  it("keeps the newest log lines and counts all of them", () => {
    const snapshot = track(runningMigrationEvents(), clockAt(T0), 2).snapshot();
    expect(snapshot.logCount).toBe(6);
    expect(snapshot.logs.map((l) => l.message)).toEqual([
      "src/orders: the `fetchJson` wrapper in ```utils``` is also used by @acme/web <!-- x --> | tables",
      "reviewing src/search",
    ]);
  });

  it("cuts very long log lines", () => {
    const tracker = createProgressTracker({ clock: clockAt(T0), maxLogLength: 10 });
    tracker.apply({ type: "log", level: "info", message: "x".repeat(1000), at: T0 });
    expect(tracker.snapshot().logs[0]?.message).toBe(`${"x".repeat(9)}…`);
  });

  it("counts a settled agent's usage once, even if an event repeats", () => {
    const usage = { input: 10, output: 5, cacheWrite: 0, cacheRead: 0 };
    const snapshot = track([
      { type: "agent.queued", agentId: "a1", label: "x", phase: null, role: "worker", at: T0 },
      { type: "agent.started", agentId: "a1", at: T0 },
      { type: "agent.finished", agentId: "a1", at: T0, usage, costUsd: 1, change: null },
      { type: "agent.finished", agentId: "a1", at: T0, usage, costUsd: 1, change: null },
      { type: "agent.started", agentId: "a1", at: T0 },
    ]).snapshot();
    expect(snapshot.usage.input).toBe(10);
    expect(snapshot.costUsd).toBe(1);
    expect(snapshot.agents).toMatchObject({ done: 1, running: 0, total: 1 });
  });

  it("groups agents outside any phase, and agents it never saw queued", () => {
    const snapshot = track([
      { type: "agent.queued", agentId: "a1", label: "x", phase: null, role: "worker", at: T0 },
      { type: "agent.started", agentId: "a9", at: T0 },
    ]).snapshot();
    expect(snapshot.phases).toEqual([{ title: null, queued: 1, running: 1, done: 0, failed: 0, cached: 0, total: 2 }]);
  });

  it("returns snapshots that later events do not change", () => {
    const tracker = track(runningMigrationEvents().slice(0, 5));
    const before = tracker.snapshot();
    const copy = structuredClone(before);
    for (const event of runningMigrationEvents().slice(5)) tracker.apply(event);
    expect(before).toEqual(copy);
  });
});
