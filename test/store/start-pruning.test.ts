import { describe, expect, it, vi } from "vitest";
import { startPruning } from "../../src/store/start-pruning.js";

describe("pruning", () => {
  it("prunes what is older than the retention period at start and then every interval", async () => {
    vi.useFakeTimers();
    try {
      let now = 10_000_000;
      const cutoffs: number[] = [];
      const stop = startPruning({
        what: "things",
        prune: async (before) => (cutoffs.push(before), 1),
        retentionMs: 1_000_000,
        clock: { now: () => now },
        log: { info: () => {}, warn: () => {} },
        intervalMs: 60_000,
      });
      expect(cutoffs).toEqual([9_000_000]);
      now += 60_000;
      await vi.advanceTimersByTimeAsync(60_000);
      expect(cutoffs).toEqual([9_000_000, 9_060_000]);
      stop();
      await vi.advanceTimersByTimeAsync(600_000);
      expect(cutoffs).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("logs a failure and tries again at the next interval", async () => {
    vi.useFakeTimers();
    try {
      const warnings: string[] = [];
      let calls = 0;
      const stop = startPruning({
        what: "things",
        prune: async () => {
          calls++;
          if (calls === 1) throw new Error("database away");
          return 3;
        },
        retentionMs: 1000,
        clock: { now: () => 5000 },
        log: { info: () => {}, warn: ((_fields: unknown, message: string) => void warnings.push(message)) as never },
        intervalMs: 60_000,
      });
      await vi.advanceTimersByTimeAsync(0);
      expect(warnings).toEqual(["could not prune old things; trying again later"]);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls).toBe(2);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
