/**
 * The one place time comes from: the injected clock and timers, and the two
 * helpers built on timers (a repeating timer, a sleep that honours a signal).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { backgroundTimers, realTimers, repeatEvery, sleep, type Timers } from "../src/time.js";

/** Timers the test fires by hand, one at a time, in order of their deadline. */
function manualTimers(): Timers & { fireNext(): void; pending(): number; delays: number[] } {
  let next = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const delays: number[] = [];
  return {
    delays,
    setTimeout(callback, ms) {
      delays.push(ms);
      pending.set(++next, { at: next, callback });
      return next;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    fireNext() {
      const [handle, timer] = [...pending.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (handle === undefined || timer === undefined) throw new Error("no timer pending");
      pending.delete(handle);
      timer.callback();
    },
    pending: () => pending.size,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("repeatEvery", () => {
  it("ticks on the injected timers at its interval until stopped", () => {
    const timers = manualTimers();
    const ticks: number[] = [];
    const repeating = repeatEvery(250, () => ticks.push(ticks.length), timers);
    expect(timers.pending()).toBe(1);
    timers.fireNext();
    timers.fireNext();
    expect(ticks).toEqual([0, 1]);
    expect(timers.delays).toEqual([250, 250, 250]);
    repeating.stop();
    expect(timers.pending()).toBe(0);
  });

  it("keeps its pace when a tick throws", () => {
    const timers = manualTimers();
    let calls = 0;
    repeatEvery(
      10,
      () => {
        calls++;
        throw new Error("tick failed");
      },
      timers,
    );
    expect(() => timers.fireNext()).toThrow("tick failed");
    expect(timers.pending()).toBe(1);
    expect(() => timers.fireNext()).toThrow("tick failed");
    expect(calls).toBe(2);
  });
});

describe("sleep", () => {
  it("resolves after the time on the given timers", async () => {
    const timers = manualTimers();
    let done = false;
    const slept = sleep(1_000, { timers }).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    timers.fireNext();
    await slept;
    expect(timers.delays).toEqual([1_000]);
  });

  it("rejects with the signal's reason and clears its timer when the signal aborts", async () => {
    const timers = manualTimers();
    const controller = new AbortController();
    const slept = sleep(1_000, { timers, signal: controller.signal });
    controller.abort(new Error("cancelled by the user"));
    await expect(slept).rejects.toThrow("cancelled by the user");
    expect(timers.pending()).toBe(0);
    await expect(sleep(5, { timers, signal: controller.signal })).rejects.toThrow("cancelled by the user");
  });
});

describe("the real timers", () => {
  it("look the globals up at call time, so fake timers installed later apply", async () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    realTimers.setTimeout(() => fired.push("real"), 1_000);
    backgroundTimers.setTimeout(() => fired.push("background"), 2_000);
    const cleared = realTimers.setTimeout(() => fired.push("cleared"), 500);
    realTimers.clearTimeout(cleared);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fired).toEqual(["real", "background"]);
  });

  it("never keep the process alive with a background timer", () => {
    const handle = backgroundTimers.setTimeout(() => undefined, 60_000) as NodeJS.Timeout;
    expect(handle.hasRef()).toBe(false);
    backgroundTimers.clearTimeout(handle);
  });
});
