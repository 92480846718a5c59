import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BatchCollector } from "../../../../src/agents/model/batch/batch-collector.js";

interface Item {
  name: string;
  bytes: number;
}

let flushed: string[][];
beforeEach(() => {
  vi.useFakeTimers();
  flushed = [];
});
afterEach(() => {
  vi.useRealTimers();
});

function collector(options: { flushMs?: number; maxBatch?: number; maxBytes?: number } = {}) {
  return new BatchCollector<Item>({
    flushMs: options.flushMs ?? 100,
    maxBatch: options.maxBatch ?? 10,
    maxBytes: options.maxBytes ?? 1_000,
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) },
    onFlush: (items) => flushed.push(items.map((i) => i.name)),
  });
}

const item = (name: string, bytes = 10): Item => ({ name, bytes });

describe("BatchCollector", () => {
  it("hands over everything added within flushMs of the first request as one batch", () => {
    const batches = collector();
    batches.add(item("a"));
    vi.advanceTimersByTime(60);
    batches.add(item("b"));
    vi.advanceTimersByTime(39);
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual([["a", "b"]]);
    // The next request starts a new window.
    batches.add(item("c"));
    vi.advanceTimersByTime(100);
    expect(flushed).toEqual([["a", "b"], ["c"]]);
  });

  it("hands over at once when maxBatch is reached", () => {
    const batches = collector({ maxBatch: 2 });
    batches.add(item("a"));
    batches.add(item("b"));
    batches.add(item("c"));
    expect(flushed).toEqual([["a", "b"]]);
    vi.advanceTimersByTime(100);
    expect(flushed).toEqual([["a", "b"], ["c"]]);
  });

  it("hands over before a request would take the batch over maxBytes", () => {
    const batches = collector({ maxBytes: 100 });
    batches.add(item("a", 60));
    batches.add(item("b", 60));
    expect(flushed).toEqual([["a"]]);
    // A single request over the limit still goes, alone.
    batches.add(item("huge", 500));
    expect(flushed).toEqual([["a"], ["b"]]);
    vi.advanceTimersByTime(100);
    expect(flushed).toEqual([["a"], ["b"], ["huge"]]);
  });

  it("lets a request leave until the batch is handed over, and stops the timer when none is left", () => {
    const batches = collector();
    const a = item("a");
    const b = item("b");
    batches.add(a);
    batches.add(b);
    expect(batches.remove(a)).toBe(true);
    expect(batches.remove(a)).toBe(false);
    expect(batches.remove(b)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(flushed).toEqual([]);

    batches.add(a);
    batches.flush();
    expect(batches.remove(a)).toBe(false);
    expect(flushed).toEqual([["a"]]);
  });
});
