import { afterEach, describe, expect, it, vi } from "vitest";
import { CONTROL_BUDGET_MS, CONTROL_BURST, CONTROL_BYTES, CONTROL_RUNNING } from "../../../src/runtime/sandbox/protocol.js";
import { startWatchdog } from "../../../src/runtime/sandbox/start-watchdog.js";

describe("startWatchdog", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reports a burst that outlives its budget plus grace, and not one that ends in time", () => {
    vi.useFakeTimers();
    const block = new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
    let overruns = 0;
    // The fake timers' clock moves with each timer tick.
    const stop = startWatchdog({ control: block, graceMs: 100, now: () => Date.now(), onOverrun: () => overruns++ });
    const advance = (ms: number) => vi.advanceTimersByTime(ms);

    Atomics.store(block, CONTROL_BUDGET_MS, 50);
    Atomics.add(block, CONTROL_BURST, 1);
    Atomics.store(block, CONTROL_RUNNING, 1);
    advance(100);
    Atomics.store(block, CONTROL_RUNNING, 0);
    advance(1000);
    expect(overruns).toBe(0);

    Atomics.add(block, CONTROL_BURST, 1);
    Atomics.store(block, CONTROL_RUNNING, 1);
    advance(400);
    expect(overruns).toBe(1);
    advance(1000);
    expect(overruns).toBe(1);
    stop();
  });
});
