/**
 * A command whose run is recorded never hangs on a run queue that cannot take
 * its step (Redis down): it waits `QUEUE_WAIT_MS` at most and leaves the run
 * to recovery, whether the queue hangs or fails.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { QUEUE_WAIT_MS, queueRecordedStep } from "../../../src/app/commands/queue-new-run.js";
import type { RunQueue } from "../../../src/queue/runs/run-queue.js";
import type { Timers } from "../../../src/time.js";

const log = pino({ level: "silent" });
const job = { runId: "r1", step: "plan" as const };

function queueWith(enqueue: RunQueue["enqueue"]): RunQueue {
  return { enqueue, start() {}, remove: async () => 0, onIdle: async () => {}, close: async () => {} };
}

/** Timers whose timeouts fire when `fire()` is called; records the delays asked for. */
function manualTimers(): Timers & { fire(): void; delays: number[] } {
  const pending = new Map<number, () => void>();
  const delays: number[] = [];
  let next = 0;
  return {
    delays,
    setTimeout(callback, ms) {
      delays.push(ms);
      pending.set(++next, callback);
      return next;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    fire() {
      for (const [id, callback] of pending) {
        pending.delete(id);
        callback();
      }
    },
  };
}

describe("queueRecordedStep", () => {
  it("says whether the step was added or already queued when the queue answers", async () => {
    expect(await queueRecordedStep({ queue: queueWith(async () => true) }, job, log)).toBe(true);
    expect(await queueRecordedStep({ queue: queueWith(async () => false) }, job, log)).toBe(false);
  });

  it("leaves the run to recovery when the queue hangs past the wait", async () => {
    const timers = manualTimers();
    const outcome = queueRecordedStep({ queue: queueWith(() => new Promise(() => {})), timers }, job, log);
    await Promise.resolve();
    expect(timers.delays).toEqual([QUEUE_WAIT_MS]);
    timers.fire();
    expect(await outcome).toBe("later");
  });

  it("leaves the run to recovery when the queue fails", async () => {
    const queue = queueWith(async () => {
      throw new Error("Connection is closed.");
    });
    expect(await queueRecordedStep({ queue }, job, log)).toBe("later");
  });
});
