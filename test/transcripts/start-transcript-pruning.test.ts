import { describe, expect, it, vi } from "vitest";
import { startTranscriptPruning } from "../../src/transcripts/start-transcript-pruning.js";

describe("transcript pruning", () => {
  it("prunes what is older than the retention period at start and then every interval", async () => {
    vi.useFakeTimers();
    try {
      let now = 10_000_000;
      const cutoffs: number[] = [];
      const stop = startTranscriptPruning({
        transcripts: { prune: async (before) => (cutoffs.push(before), 1) },
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
});
