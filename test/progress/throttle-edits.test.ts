import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createEditThrottle } from "../../src/progress/throttle-edits.js";

/** A write function that records calls and can be held open. */
function recorder() {
  const written: string[] = [];
  let active = 0;
  let maxActive = 0;
  const gates: (() => void)[] = [];
  let hold = false;
  return {
    written,
    get maxActive() {
      return maxActive;
    },
    holdWrites(on: boolean) {
      hold = on;
    },
    release() {
      gates.splice(0).forEach((open) => open());
    },
    async write(value: string) {
      active++;
      maxActive = Math.max(maxActive, active);
      if (hold) await new Promise<void>((resolve) => gates.push(resolve));
      written.push(value);
      active--;
    },
  };
}

describe("createEditThrottle", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("asks an interval given as a function again at each wait, so a pace that changes applies to the next edit", async () => {
    const target = recorder();
    let interval = 5000;
    const throttle = createEditThrottle({ write: (v: string) => target.write(v), minIntervalMs: () => interval });

    throttle.update("v1");
    await vi.advanceTimersByTimeAsync(0);
    interval = 40_000;
    throttle.update("v2");
    await vi.advanceTimersByTimeAsync(39_999);
    expect(target.written).toEqual(["v1"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(target.written).toEqual(["v1", "v2"]);
  });

  it("writes the first value at once, then the latest of many once per interval", async () => {
    const target = recorder();
    const throttle = createEditThrottle({ write: (v: string) => target.write(v), minIntervalMs: 5000 });

    throttle.update("v1");
    await vi.advanceTimersByTimeAsync(0);
    expect(target.written).toEqual(["v1"]);

    for (let i = 2; i <= 9; i++) {
      await vi.advanceTimersByTimeAsync(500);
      throttle.update(`v${i}`);
    }
    expect(target.written).toEqual(["v1"]);

    await vi.advanceTimersByTimeAsync(1000);
    expect(target.written).toEqual(["v1", "v9"]);

    // Nothing new: no more writes.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(target.written).toEqual(["v1", "v9"]);
  });

  it("writes at once again when the interval has passed since the last write", async () => {
    const target = recorder();
    const throttle = createEditThrottle({ write: (v: string) => target.write(v), minIntervalMs: 5000 });
    throttle.update("a");
    await vi.advanceTimersByTimeAsync(7000);
    throttle.update("b");
    await vi.advanceTimersByTimeAsync(0);
    expect(target.written).toEqual(["a", "b"]);
  });

  it("flush writes the final value at once, drops the pending one and ignores later updates", async () => {
    const target = recorder();
    const throttle = createEditThrottle({ write: (v: string) => target.write(v), minIntervalMs: 5000 });
    throttle.update("a");
    await vi.advanceTimersByTimeAsync(100);
    throttle.update("pending");
    await throttle.flush("final");
    throttle.update("late");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(target.written).toEqual(["a", "final"]);
  });

  it("never overlaps writes: flush waits for the write in flight", async () => {
    const target = recorder();
    target.holdWrites(true);
    const throttle = createEditThrottle({ write: (v: string) => target.write(v), minIntervalMs: 5000 });
    throttle.update("slow");
    await vi.advanceTimersByTimeAsync(0);
    const flushed = throttle.flush("final");
    await vi.advanceTimersByTimeAsync(0);
    expect(target.maxActive).toBe(1);
    target.holdWrites(false);
    target.release();
    await flushed;
    expect(target.written).toEqual(["slow", "final"]);
    expect(target.maxActive).toBe(1);
  });

  it("write goes out at once and the next update waits a full interval from it", async () => {
    const target = recorder();
    const throttle = createEditThrottle({ write: (v: string) => target.write(v), minIntervalMs: 5000 });
    await throttle.write("start");
    throttle.update("progress");
    await vi.advanceTimersByTimeAsync(4999);
    expect(target.written).toEqual(["start"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(target.written).toEqual(["start", "progress"]);
  });

  it("writes when the timer fires even with a clock that does not move", async () => {
    const target = recorder();
    const throttle = createEditThrottle({ write: (v: string) => target.write(v), minIntervalMs: 5000, clock: { now: () => 42 } });
    throttle.update("a");
    throttle.update("b");
    await vi.advanceTimersByTimeAsync(5000);
    expect(target.written).toEqual(["a", "b"]);
  });

  it("reports a failed intermediate write and writes again on the next update", async () => {
    const errors: unknown[] = [];
    const written: string[] = [];
    let failNext = true;
    const throttle = createEditThrottle({
      minIntervalMs: 5000,
      onError: (error) => errors.push(error),
      write: async (v: string) => {
        if (failNext) {
          failNext = false;
          throw new Error("502");
        }
        written.push(v);
      },
    });
    throttle.update("a");
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    throttle.update("b");
    await vi.advanceTimersByTimeAsync(5000);
    expect(written).toEqual(["b"]);
  });

  it("rejects flush when the final write fails", async () => {
    const throttle = createEditThrottle({
      write: async () => {
        throw new Error("403");
      },
    });
    await expect(throttle.flush("final")).rejects.toThrow("403");
  });

  it("dropPending forgets the value waiting for its interval; later updates are written as before", async () => {
    const target = recorder();
    const throttle = createEditThrottle({ write: (v: string) => target.write(v), minIntervalMs: 5000 });
    throttle.update("v1");
    await vi.advanceTimersByTimeAsync(0);
    throttle.update("v2");
    throttle.dropPending();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(target.written).toEqual(["v1"]);
    throttle.update("v3");
    await vi.advanceTimersByTimeAsync(0);
    expect(target.written).toEqual(["v1", "v3"]);
    await throttle.flush("final");
    expect(target.written).toEqual(["v1", "v3", "final"]);
  });
});
