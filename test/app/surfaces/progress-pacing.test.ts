import { describe, expect, it } from "vitest";
import { createProgressPacing, pacedIntervalMs } from "../../../src/app/surfaces/progress-pacing.js";

describe("progress pacing", () => {
  it("keeps the base interval for a run alone on its installation", () => {
    const pacing = createProgressPacing(5_000);
    expect(pacing.open(1).intervalMs()).toBe(5_000);
    expect(createProgressPacing(0).open(1).intervalMs()).toBe(0);
  });

  it("slows every run's views as more runs of the installation are shown, so their edits ask for half of one write a second", () => {
    const pacing = createProgressPacing(5_000);
    const runs = Array.from({ length: 10 }, () => pacing.open(7));
    const other = pacing.open(8);
    // Ten runs, two views each, one edit per view every 40 s: 0.5 writes a second together.
    expect(runs.map((run) => run.intervalMs())).toEqual(Array(10).fill(40_000));
    expect((10 * 2) / (pacedIntervalMs(10) / 1_000)).toBe(0.5);
    // Another installation has its own writes.
    expect(other.intervalMs()).toBe(5_000);

    for (const run of runs.slice(1)) run.close();
    expect(runs[0]!.intervalMs()).toBe(5_000);
    // Closing twice counts once.
    runs[1]!.close();
    expect(pacing.open(7).intervalMs()).toBe(8_000);
  });
});
