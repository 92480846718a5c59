/**
 * The run queue on the real Redis: one job per run step however many
 * processes enqueue it, the web process enqueueing while another process
 * takes the steps, steps of a run held elsewhere tried again rather than
 * dropped, and waiting steps removed on cancel.
 */
import { afterEach, expect, it } from "vitest";
import { createBullRunQueue, runJobId } from "../../../src/queue/runs/create-bull-run-queue.js";
import type { RunJob, RunQueue } from "../../../src/queue/runs/run-queue.js";
import { deleteQueueKeys, describeWithRedis, eventually, REDIS_URL, uniqueQueueName } from "../redis-harness.js";
import { deferred } from "../agents/queue-fixture.js";

describeWithRedis("createBullRunQueue", () => {
  let queueName = "";
  const opened: RunQueue[] = [];

  afterEach(async () => {
    for (const queue of opened.splice(0)) await queue.close();
    await deleteQueueKeys(queueName);
  });

  function open(takeJobs: boolean, concurrency = 2): RunQueue {
    const queue = createBullRunQueue({ connection: { url: REDIS_URL }, queueName, concurrency, takeJobs, retryHeldMs: 50, idlePollMs: 20 });
    opened.push(queue);
    return queue;
  }

  it("queues a step once however many processes ask, and again once it has run", async () => {
    queueName = uniqueQueueName("runs-dedupe");
    const web = open(false);
    const other = open(false);

    expect(await web.enqueue({ runId: "r-1", step: "plan" })).toBe(true);
    expect(await other.enqueue({ runId: "r-1", step: "plan" })).toBe(false);
    expect(await web.enqueue({ runId: "r-1", step: "execute" })).toBe(true);
    expect(await web.enqueue({ runId: "r-2", step: "plan" })).toBe(true);

    const done: string[] = [];
    open(true).start(async (job) => void done.push(`${job.runId}:${job.step}`));
    await web.onIdle();
    expect(done.sort()).toEqual(["r-1:execute", "r-1:plan", "r-2:plan"]);
    // A finished step leaves nothing behind: a resumed run queues it again.
    expect(await web.enqueue({ runId: "r-1", step: "execute" })).toBe(true);
    await web.onIdle();
    expect(done.filter((step) => step === "r-1:execute")).toHaveLength(2);
  });

  it("lets the web process only enqueue, and runs at most `concurrency` steps at once in a process that takes them", async () => {
    queueName = uniqueQueueName("runs-split");
    const web = open(false);
    const neverCalled: RunJob[] = [];
    web.start(async (job) => void neverCalled.push(job));
    const gate = deferred();
    let running = 0;
    let most = 0;
    const worker = open(true, 2);
    worker.start(async () => {
      running++;
      most = Math.max(most, running);
      await gate.promise;
      running--;
    });

    for (let i = 1; i <= 5; i++) await web.enqueue({ runId: `r-${i}`, step: "execute" });
    await eventually(() => running === 2, "two steps running");
    gate.resolve();
    await web.onIdle();

    expect(most).toBe(2);
    expect(neverCalled).toEqual([]);
  });

  it("tries a step again later when another process holds its run, instead of dropping it", async () => {
    queueName = uniqueQueueName("runs-held");
    const web = open(false);
    const calls: number[] = [];
    open(true).start(async () => {
      calls.push(calls.length + 1);
      return calls.length < 3 ? "held-elsewhere" : "done";
    });

    await web.enqueue({ runId: "r-held", step: "execute" });
    await eventually(() => calls.length === 3, "the third try", 10_000);
    await web.onIdle();
    expect(calls).toEqual([1, 2, 3]);
  });

  it("keeps a held step queued while it waits, so asking again adds nothing", async () => {
    queueName = uniqueQueueName("runs-held-dedupe");
    const web = open(false);
    let tries = 0;
    const release = deferred();
    open(true).start(async () => {
      tries++;
      return tries === 1 ? "held-elsewhere" : (await release.promise, "done");
    });

    await web.enqueue({ runId: "r-wait", step: "execute" });
    await eventually(() => tries === 1, "the first try");
    expect(await web.enqueue({ runId: "r-wait", step: "execute" })).toBe(false);
    release.resolve();
    await web.onIdle();
    expect(tries).toBe(2);
  });

  it("removes a run's waiting steps and leaves other runs alone", async () => {
    queueName = uniqueQueueName("runs-remove");
    const web = open(false);
    await web.enqueue({ runId: "r-gone", step: "plan" });
    await web.enqueue({ runId: "r-gone", step: "execute" });
    await web.enqueue({ runId: "r-kept", step: "plan" });

    expect(await web.remove("r-gone")).toBe(2);
    expect(await web.remove("r-gone")).toBe(0);
    const done: string[] = [];
    open(true).start(async (job) => void done.push(job.runId));
    await web.onIdle();
    expect(done).toEqual(["r-kept"]);
  });

  it("names jobs so BullMQ accepts them and no two steps share an id", () => {
    expect(runJobId("r-abc", "plan")).toBe("run:r-abc:plan");
    expect(runJobId("a:b", "execute")).toBe("run:a%3Ab:execute");
    expect(runJobId("a%3Ab", "execute")).toBe("run:a%253Ab:execute");
  });
});
