import { describe, expect, it } from "vitest";
import { createProgressTracker } from "../../src/progress/create-progress-tracker.js";
import { CHECK_OUTPUT_LIMIT } from "../../src/progress/fit-text.js";
import { renderCheckRunSummary } from "../../src/progress/render-check-run-summary.js";
import { renderStatusComment } from "../../src/progress/render-status-comment.js";
import type { RunEvent } from "../../src/runtime/types.js";
import { cappedMigrationEvents, runningMigrationEvents, T0 } from "./fixtures/migration-events.js";

function snapshotOf(events: RunEvent[]) {
  const tracker = createProgressTracker({ clock: { now: () => T0 + 252_000 } });
  events.forEach(tracker.apply);
  return tracker.snapshot();
}

const bytes = (text: string | undefined) => Buffer.byteLength(text ?? "", "utf8");

describe("renderCheckRunSummary", () => {
  it("states the same facts as the status comment", async () => {
    const snapshot = snapshotOf(runningMigrationEvents());
    const options = { runId: "r-7f3a", estimate: { agents: 24, tokens: 1_800_000, costUsd: 9.5 } };
    const output = renderCheckRunSummary(snapshot, options);
    const comment = renderStatusComment(snapshot, options);

    expect(output.title).toBe("Running · 5/~24 agents · $2.23");
    for (const line of output.summary.trim().split("\n")) expect(comment).toContain(line);
    // The check run keeps every log line the tracker kept, not only the comment's last five.
    expect(output.text).toContain("found 6 modules calling fetchJson");
    expect(comment).not.toContain("found 6 modules calling fetchJson");
    await expect(`# ${output.title}\n\n${output.summary}\n${output.text}`).toMatchFileSnapshot("./__snapshots__/check-run-running.md");
  });

  it("titles a finished run with the agents that ran", () => {
    const output = renderCheckRunSummary(snapshotOf(cappedMigrationEvents()), { runId: "r-7f3a", estimate: { agents: 24, tokens: 0, costUsd: 9.5 } });
    expect(output.title).toBe("Stopped at a cap · 8/10 agents · $4.15");
    expect(output.summary).toContain("**Error** `cap_exceeded`");
  });

  it("leaves text out when the run has logged nothing", () => {
    const output = renderCheckRunSummary(snapshotOf([]), { runId: "r-1" });
    expect(output.title).toBe("Starting · no agents · $0.00");
    expect(output.summary.startsWith("No agents started yet.\n\n**Tokens** 0 ")).toBe(true);
    expect("text" in output).toBe(false);
  });

  it("keeps every field within the Checks API's byte limit", () => {
    const events: RunEvent[] = [{ type: "run.started", runId: "r-1", at: T0, meta: { name: "x", description: "" } }];
    for (let i = 0; i < 200; i++) events.push({ type: "log", level: "info", message: "€".repeat(490), at: T0 });
    const tracker = createProgressTracker({ clock: { now: () => T0 }, logTail: 200 });
    events.forEach(tracker.apply);
    const output = renderCheckRunSummary(tracker.snapshot(), { runId: "r-1", notes: ["ü".repeat(40_000)] });
    expect(bytes(output.summary)).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(bytes(output.text)).toBeLessThanOrEqual(CHECK_OUTPUT_LIMIT);
    expect(output.summary).toMatch(/cut to fit the Checks API's size limit/);
    expect(output.text).toMatch(/cut to fit the Checks API's size limit/);
  });
});
