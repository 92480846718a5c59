import { describe, expect, it } from "vitest";
import { CpuMeter } from "../../../src/runtime/sandbox/cpu-meter.js";
import { CONTROL_BUDGET_MS, CONTROL_BURST, CONTROL_BYTES, CONTROL_RUNNING } from "../../../src/runtime/sandbox/protocol.js";

function control(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_BYTES));
}

describe("CpuMeter", () => {
  it("counts only the time inside bursts, across bursts, and interrupts past the limit", () => {
    let now = 0;
    const block = control();
    const meter = new CpuMeter(100, block, () => now);
    meter.measure(() => {
      now += 60;
      expect(meter.shouldInterrupt()).toBe(false);
    });
    now += 10_000; // waiting for the host: not counted
    expect(meter.shouldInterrupt()).toBe(false);
    meter.measure(() => {
      expect(Atomics.load(block, CONTROL_RUNNING)).toBe(1);
      expect(Atomics.load(block, CONTROL_BUDGET_MS)).toBe(40);
      now += 30;
      expect(meter.shouldInterrupt()).toBe(false);
      now += 11;
      expect(meter.shouldInterrupt()).toBe(true);
    });
    expect(meter.exceeded).toBe(true);
    expect(Atomics.load(block, CONTROL_RUNNING)).toBe(0);
    expect(Atomics.load(block, CONTROL_BURST)).toBe(2);
  });

  it("counts nested measurements once", () => {
    let now = 0;
    const block = control();
    const meter = new CpuMeter(50, block, () => now);
    meter.measure(() => {
      now += 20;
      meter.measure(() => {
        now += 20;
      });
      expect(Atomics.load(block, CONTROL_RUNNING)).toBe(1);
    });
    meter.measure(() => {
      now += 5;
      expect(meter.shouldInterrupt()).toBe(false);
      now += 6;
      expect(meter.shouldInterrupt()).toBe(true);
    });
    expect(Atomics.load(block, CONTROL_BURST)).toBe(2);
  });
});
