import { describe, expect, it } from "vitest";
import { createProgressTracker } from "../../src/progress/create-progress-tracker.js";
import { renderProgressBlock, renderProgressLine } from "../../src/progress/render-terminal-progress.js";
import { ZERO_USAGE, type RunEvent } from "../../src/runtime/types.js";

const events: RunEvent[] = [
  { type: "run.started", runId: "r1", at: 0, meta: { name: "m", description: "d" } },
  { type: "phase", title: "Migrate", at: 1_000 },
  { type: "agent.queued", agentId: "a1", label: "billing", phase: "Migrate", role: "worker", at: 1_000 },
  { type: "agent.queued", agentId: "a2", label: "search", phase: "Migrate", role: "worker", at: 1_000 },
  { type: "agent.queued", agentId: "a3", label: "auth", phase: "Migrate", role: "worker", at: 1_000 },
  { type: "agent.started", agentId: "a1", at: 1_100 },
  { type: "agent.started", agentId: "a2", at: 1_100 },
  { type: "agent.finished", agentId: "a1", at: 5_000, usage: { ...ZERO_USAGE, input: 12_000, output: 345 }, costUsd: 0.125, change: null },
  { type: "log", level: "info", message: "billing:\naccepted", at: 5_001 },
  { type: "agent.failed", agentId: "a2", at: 6_000, error: "model overloaded", usage: ZERO_USAGE, costUsd: 0 },
];

describe("run progress", () => {
  it("renders the live block from the progress tracker", () => {
    const tracker = createProgressTracker({ clock: { now: () => 6_000 } });
    for (const event of events) tracker.apply(event);
    expect(renderProgressBlock(tracker.snapshot(), { runId: "r1", stage: "run" })).toEqual([
      "dynflow run r1 · phase Migrate",
      `${"▓".repeat(16)}${"░".repeat(8)} agents 1 done, 0 running, 1 queued, 1 failed`,
      "12.3k tokens · $0.13 · 6 s",
      "log: billing: accepted",
    ]);
  });

  it("renders one plain line per phase, settled agent and log", () => {
    const labels: Record<string, string> = { a1: "billing", a2: "search" };
    const lines = events.flatMap((event) => renderProgressLine(event, (id) => labels[id] ?? id) ?? []);
    expect(lines).toEqual(["phase: Migrate", "agent done: billing ($0.13)", "log: billing: accepted", "agent failed: search: model overloaded"]);
  });

  it("names the stage outside the script", () => {
    const tracker = createProgressTracker({ clock: { now: () => 0 } });
    expect(renderProgressBlock(tracker.snapshot(), { runId: "r1", stage: "reconcile" })[0]).toBe("dynflow run r1 · merging accepted changes");
  });
});
