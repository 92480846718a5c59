/**
 * A worker's runners per run: shared while jobs of the run come, closed once
 * the run has been idle for a while, on the timers the worker injects.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { RunnerCache } from "../../../src/queue/agents/runner-cache.js";
import type { QueuedRunContext, RunnerHandle } from "../../../src/queue/agents/types.js";
import type { Timers } from "../../../src/time.js";

const log = pino({ level: "silent" });
const context = (runId: string) => ({ runId }) as QueuedRunContext;

/** Timers that fire only when the test says so. */
function heldTimers(): Timers & { fireAll(): void; delays: number[] } {
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
    clearTimeout: (handle) => void pending.delete(handle as number),
    fireAll() {
      const callbacks = [...pending.values()];
      pending.clear();
      for (const callback of callbacks) callback();
    },
  };
}

describe("RunnerCache", () => {
  it("builds one runner per run and closes it when the injected idle timer fires", async () => {
    const closed: string[] = [];
    let built = 0;
    const create = async (ctx: QueuedRunContext): Promise<RunnerHandle> => {
      built++;
      return { runner: { run: async () => Promise.reject(new Error("unused")) }, close: async () => void closed.push(ctx.runId) };
    };
    const timers = heldTimers();
    const cache = new RunnerCache(create, 60_000, log, timers);

    const first = await cache.acquire(context("r-1"));
    const second = await cache.acquire(context("r-1"));
    expect(second).toBe(first);
    cache.release("r-1");
    cache.release("r-1");
    expect(timers.delays).toEqual([60_000]);
    expect(cache.size).toBe(1);

    // A job of the run before the timer fires keeps the runner.
    await cache.acquire(context("r-1"));
    timers.fireAll();
    expect(cache.size).toBe(1);
    cache.release("r-1");
    timers.fireAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.size).toBe(0);
    expect(closed).toEqual(["r-1"]);
    expect(built).toBe(1);
  });
});
