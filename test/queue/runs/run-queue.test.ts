import { describe, expect, it } from "vitest";
import { createCancelRegistry } from "../../../src/app/steps/cancel-registry.js";
import { createInProcessRunQueue, type RunJob } from "../../../src/queue/runs/run-queue.js";
import { createRunStopSignal } from "../../../src/app/steps/stop-signal.js";

/** A processor whose jobs finish when the test says so. */
function controlledProcessor() {
  const started: RunJob[] = [];
  const finishers = new Map<string, () => void>();
  return {
    started,
    process: (job: RunJob) =>
      new Promise<void>((resolve) => {
        started.push(job);
        finishers.set(`${job.runId}:${job.step}`, resolve);
      }),
    finish(runId: string, step = "plan") {
      finishers.get(`${runId}:${step}`)!();
    },
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("createInProcessRunQueue", () => {
  it("tries a step again later while another step holds its run, instead of dropping it", async () => {
    const pending: (() => void)[] = [];
    const delays: number[] = [];
    const timers = { setTimeout: (callback: () => void, ms: number) => (delays.push(ms), pending.push(callback)), clearTimeout: () => undefined };
    const queue = createInProcessRunQueue({ maxConcurrent: 1, retryHeldMs: 1000, timers });
    const tries: RunJob[] = [];
    queue.start(async (job) => (tries.push(job), tries.length < 3 ? "held-elsewhere" : "done"));
    await queue.enqueue({ runId: "r-1", step: "execute" });
    await queue.onIdle();
    expect(tries).toHaveLength(1);
    // While it waits to try again, the same step is not queued a second time.
    expect(await queue.enqueue({ runId: "r-1", step: "execute" })).toBe(false);
    pending.shift()!();
    await queue.onIdle();
    pending.shift()!();
    await queue.onIdle();
    expect(tries).toHaveLength(3);
    expect(pending).toEqual([]);
    // The holder is usually a step about to end: the first try again comes soon, later ones back off up to the limit.
    expect(delays).toEqual([500, 1000]);
  });

  it("runs at most maxConcurrent steps at once, in the order queued", async () => {
    const queue = createInProcessRunQueue({ maxConcurrent: 2 });
    const worker = controlledProcessor();
    for (const runId of ["r-1", "r-2", "r-3"]) await queue.enqueue({ runId, step: "plan" });
    queue.start(worker.process);
    await turn();
    expect(worker.started.map((job) => job.runId)).toEqual(["r-1", "r-2"]);
    worker.finish("r-2");
    await turn();
    expect(worker.started.map((job) => job.runId)).toEqual(["r-1", "r-2", "r-3"]);
    worker.finish("r-1");
    worker.finish("r-3");
    await queue.onIdle();
  });

  it("does not queue the same step of a run twice, but does queue its next step", async () => {
    const queue = createInProcessRunQueue({ maxConcurrent: 1 });
    const worker = controlledProcessor();
    queue.start(worker.process);
    expect(await queue.enqueue({ runId: "r-1", step: "plan" })).toBe(true);
    expect(await queue.enqueue({ runId: "r-1", step: "plan" })).toBe(false);
    expect(await queue.enqueue({ runId: "r-1", step: "execute" })).toBe(true);
    expect(await queue.enqueue({ runId: "r-1", step: "execute" })).toBe(false);
    worker.finish("r-1", "plan");
    await turn();
    worker.finish("r-1", "execute");
    await queue.onIdle();
    expect(worker.started).toEqual([
      { runId: "r-1", step: "plan" },
      { runId: "r-1", step: "execute" },
    ]);
  });

  it("drops a run's waiting steps on remove, and resolves onIdle when nothing is left", async () => {
    const queue = createInProcessRunQueue({ maxConcurrent: 1 });
    const worker = controlledProcessor();
    queue.start(worker.process);
    await queue.enqueue({ runId: "r-1", step: "plan" });
    await queue.enqueue({ runId: "r-2", step: "plan" });
    expect(await queue.remove("r-2")).toBe(1);
    expect(await queue.remove("r-1")).toBe(0); // already running: cancel it instead
    let idle = false;
    const waiting = queue.onIdle().then(() => (idle = true));
    await turn();
    expect(idle).toBe(false);
    worker.finish("r-1");
    await waiting;
    expect(worker.started.map((job) => job.runId)).toEqual(["r-1"]);
  });

  it("keeps going after a step that throws", async () => {
    const queue = createInProcessRunQueue({ maxConcurrent: 1 });
    const done: string[] = [];
    queue.start(async (job) => {
      if (job.runId === "r-1") throw new Error("boom");
      done.push(job.runId);
    });
    await queue.enqueue({ runId: "r-1", step: "plan" });
    await queue.enqueue({ runId: "r-2", step: "plan" });
    await queue.onIdle();
    expect(done).toEqual(["r-2"]);
  });

  it("refuses a concurrency below one with a message that says what to pass", () => {
    expect(() => createInProcessRunQueue({ maxConcurrent: 0 })).toThrow("maxConcurrent must be a whole number from 1 up; got 0");
  });
});

describe("createCancelRegistry", () => {
  it("aborts a registered run's signal with the reason, and only while it is registered", () => {
    const cancels = createCancelRegistry();
    expect(cancels.cancel("r-1", "nobody runs it")).toBe(false);
    const signal = cancels.register("r-1");
    expect(cancels.isActive("r-1")).toBe(true);
    expect(cancels.cancel("r-1", "cancelled by @octocat")).toBe(true);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe("cancelled by @octocat");
    cancels.unregister("r-1", signal);
    expect(cancels.isActive("r-1")).toBe(false);
  });

  it("does not forget a later step of the same run when an earlier one unregisters", () => {
    const cancels = createCancelRegistry();
    const planning = cancels.register("r-1");
    const executing = cancels.register("r-1");
    cancels.unregister("r-1", planning);
    expect(cancels.cancel("r-1", "stop")).toBe(true);
    expect(executing.aborted).toBe(true);
  });
});

describe("createRunStopSignal", () => {
  it("aborts at the run's deadline with a reason that says so, and on a cancel", () => {
    const cancels = createCancelRegistry();
    let fire: (() => void) | undefined;
    const timers = { setTimeout: (callback: () => void) => (fire = callback), clearTimeout: () => (fire = undefined) };
    const deadline = createRunStopSignal(cancels, "r-1", 90_000, timers);
    fire!();
    expect(deadline.signal.aborted).toBe(true);
    expect((deadline.signal.reason as Error).message).toBe("the run reached its deadline of 1m 30s");
    deadline.dispose();
    expect(cancels.isActive("r-1")).toBe(false);

    const cancelled = createRunStopSignal(cancels, "r-2", 90_000, timers);
    cancels.cancel("r-2", "cancelled by @octocat");
    expect((cancelled.signal.reason as Error).message).toBe("cancelled by @octocat");
    cancelled.dispose();
    expect(fire).toBeUndefined();
  });
});
