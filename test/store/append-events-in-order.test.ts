import { describe, expect, it, vi } from "vitest";
import { appendEventsInOrder, MAX_EVENTS_PER_WRITE } from "../../src/store/append-events-in-order.js";
import type { RunEvent } from "../../src/runtime/types.js";
import type { EventStore } from "../../src/store/types.js";

const log = (message: string): RunEvent => ({ type: "log", level: "info", message, at: 1 }) as RunEvent;

/** An event store whose writes finish when the test says so. */
function heldStore() {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  let failNext = false;
  const events: EventStore = {
    append: () => Promise.reject(new Error("not used")),
    appendAll: async (_runId, written) => {
      batches.push(written.map((event) => (event as { message: string }).message));
      await new Promise<void>((resolve) => releases.push(resolve));
      if (failNext) {
        failNext = false;
        throw new Error("disk full");
      }
      return batches.flat().length;
    },
    list: () => Promise.resolve([]),
  };
  return { events, batches, release: () => releases.shift()?.(), failNextWrite: () => void (failNext = true) };
}

const ticks = () => new Promise((resolve) => setImmediate(resolve));

describe("appendEventsInOrder", () => {
  it("writes a lone event at once and the events that came during a write together in the next, in order", async () => {
    const store = heldStore();
    const appends = appendEventsInOrder(store.events, "r-1", () => {});
    appends.add(log("a"));
    await ticks();
    expect(store.batches).toEqual([["a"]]);
    appends.add(log("b"));
    appends.add(log("c"));
    appends.add(log("d"));
    store.release();
    await ticks();
    expect(store.batches).toEqual([["a"], ["b", "c", "d"]]);
    let written = false;
    void appends.written().then(() => (written = true));
    await ticks();
    expect(written).toBe(false);
    store.release();
    await ticks();
    expect(written).toBe(true);
  });

  it("reports a failed write and still writes the events after it", async () => {
    const store = heldStore();
    const onError = vi.fn();
    const appends = appendEventsInOrder(store.events, "r-1", onError);
    store.failNextWrite();
    appends.add(log("a"));
    await ticks();
    appends.add(log("b"));
    store.release();
    await ticks();
    store.release();
    await appends.written();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: "disk full" }));
    expect(store.batches).toEqual([["a"], ["b"]]);
  });

  it("splits a long backlog into writes of at most MAX_EVENTS_PER_WRITE", async () => {
    const store = heldStore();
    const appends = appendEventsInOrder(store.events, "r-1", () => {});
    appends.add(log("first"));
    await ticks();
    for (let i = 0; i < MAX_EVENTS_PER_WRITE + 1; i++) appends.add(log(`e${i}`));
    store.release();
    await ticks();
    store.release();
    await ticks();
    store.release();
    await appends.written();
    expect(store.batches.map((batch) => batch.length)).toEqual([1, MAX_EVENTS_PER_WRITE, 1]);
    expect(store.batches.flat()).toEqual(["first", ...Array.from({ length: MAX_EVENTS_PER_WRITE + 1 }, (_, i) => `e${i}`)]);
  });
});
