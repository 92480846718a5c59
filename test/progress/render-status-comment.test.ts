import { describe, expect, it } from "vitest";
import { createProgressTracker } from "../../src/progress/create-progress-tracker.js";
import { renderStatusComment } from "../../src/progress/render-status-comment.js";
import { isStatusCommentOf, statusMarker } from "../../src/progress/status-marker.js";
import { InvalidRunIdError } from "../../src/progress/errors.js";
import { GITHUB_BODY_LIMIT } from "../../src/report/render-report.js";
import type { RunEvent } from "../../src/runtime/types.js";
import { cappedMigrationEvents, runningMigrationEvents, T0 } from "./fixtures/migration-events.js";

function snapshotOf(events: RunEvent[], now = T0 + 252_000) {
  const tracker = createProgressTracker({ clock: { now: () => now } });
  events.forEach(tracker.apply);
  return tracker.snapshot();
}

const links = {
  checkRunUrl: "https://github.com/acme/storefront/runs/4242",
  commentUrl: "https://github.com/acme/storefront/issues/7#issuecomment-99",
};

describe("renderStatusComment", () => {
  it("renders a run in progress against its estimate", async () => {
    const body = renderStatusComment(snapshotOf(runningMigrationEvents()), {
      runId: "r-7f3a",
      estimate: { agents: 24, tokens: 1_800_000, costUsd: 9.5 },
      links,
    });
    expect(body.startsWith("<!-- dynflow:status run=r-7f3a -->\n")).toBe(true);
    expect(body).toContain("`▓▓▓▓░░░░░░░░░░░░░░░░` **5/~24** agents (20%)");
    await expect(body).toMatchFileSnapshot("./__snapshots__/status-running.md");
  });

  it("renders a capped run with its error, the agents that never started and the caller's notes", async () => {
    const body = renderStatusComment(snapshotOf(cappedMigrationEvents()), {
      runId: "r-7f3a",
      estimate: { agents: 24, tokens: 1_800_000, costUsd: 9.5 },
      links: { ...links, pullRequestUrl: "https://github.com/acme/storefront/pull/8" },
      notes: ["The pull request is a **draft**: 1 worker failed."],
    });
    // Finished: the bar counts the agents that ran, not the estimate.
    expect(body).toContain("**8/10** agents (80%)");
    expect(body).toContain("2 never started");
    await expect(body).toMatchFileSnapshot("./__snapshots__/status-capped.md");
  });

  it("renders a run that has not started an agent yet", () => {
    const body = renderStatusComment(snapshotOf([]), { runId: "r-1" });
    expect(body).toContain("dynflow run `r-1` is starting");
    expect(body).toContain("No agents started yet.");
    expect(body).not.toContain("| Phase |");
  });

  it("keeps untrusted log lines and phase titles from becoming markup", () => {
    const hostile = "```\n</details><!-- x --> @octocat | <img src=x>";
    const body = renderStatusComment(
      snapshotOf([
        { type: "run.started", runId: "r-1", at: T0, meta: { name: "x", description: "" } },
        { type: "phase", title: `Phase | ${hostile}`, at: T0 },
        { type: "agent.queued", agentId: "a1", label: "x", phase: `Phase | ${hostile}`, role: "worker", at: T0 },
        { type: "log", level: "info", message: hostile, at: T0 },
      ]),
      { runId: "r-1" },
    );
    const row = body.split("\n").find((line) => line.startsWith("| **Phase"))!;
    expect(row.split(/(?<!\\)\|/)).toHaveLength(9);
    expect(row).not.toContain("<img");
    expect(row).not.toContain("@octocat");
    // In the log the line stays on one line inside a fence longer than its backticks.
    const fenceLine = body.split("\n").find((line) => /^`{4,}text$/.test(line));
    expect(fenceLine).toBeDefined();
    expect(body.match(/<!--/g)).toHaveLength(2); // the marker and the fenced log text
  });

  it("stays within GitHub's comment limit whatever the run did", () => {
    const events: RunEvent[] = [{ type: "run.started", runId: "r-1", at: T0, meta: { name: "x", description: "" } }];
    for (let i = 0; i < 500; i++) {
      events.push({ type: "agent.queued", agentId: `a${i}`, label: "x", phase: `phase ${i} ${"p".repeat(200)}`, role: "worker", at: T0 });
      events.push({ type: "log", level: "warn", message: "🙂".repeat(2000), at: T0 });
    }
    const body = renderStatusComment(snapshotOf(events), { runId: "r-1", logLines: 20, notes: ["n".repeat(70_000)] });
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(body).toContain("_… 470 more phases_");
    expect(body.startsWith(statusMarker("r-1"))).toBe(true);
  });
});

describe("statusMarker", () => {
  it("identifies the comment of one run only", () => {
    const body = `${statusMarker("r-1")}\n### …`;
    expect(isStatusCommentOf(body, "r-1")).toBe(true);
    expect(isStatusCommentOf(body, "r-10")).toBe(false);
    expect(isStatusCommentOf(`quoted: ${body}`, "r-1")).toBe(false);
    expect(isStatusCommentOf(null, "r-1")).toBe(false);
  });

  it("refuses run ids that could end the HTML comment", () => {
    expect(() => statusMarker("r --> <b>")).toThrow(InvalidRunIdError);
    expect(() => statusMarker("")).toThrow(InvalidRunIdError);
  });
});
