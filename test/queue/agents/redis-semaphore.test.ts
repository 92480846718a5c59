/**
 * The per-installation cap across processes: a counting semaphore in Redis
 * whose holders expire, and the queued runners that take it.
 */
import { afterAll, afterEach, expect, it } from "vitest";
import { createQueuedAgentRunner } from "../../../src/queue/agents/create-queued-agent-runner.js";
import { openAgentQueue, type AgentQueue } from "../../../src/queue/agents/open-agent-queue.js";
import { RedisSemaphore } from "../../../src/queue/agents/redis-semaphore.js";
import { startAgentWorker, type AgentWorker } from "../../../src/queue/agents/start-agent-worker.js";
import { AgentFailedError } from "../../../src/runtime/errors.js";
import { deferred, recordingRunners, rejectionOf, request, result, runContext } from "./queue-fixture.js";
import { deleteQueueKeys, describeWithRedis, eventually, REDIS_URL, redisClient, uniqueQueueName } from "../redis-harness.js";

const connection = { url: REDIS_URL };

describeWithRedis("installation slots in Redis", () => {
  let queueName: string;
  const redis = redisClient();
  let queue: AgentQueue | undefined;
  let worker: AgentWorker | undefined;

  afterAll(() => redis.disconnect());

  afterEach(async () => {
    await worker?.stop(0, 200);
    worker = undefined;
    await queue?.close();
    queue = undefined;
    await deleteQueueKeys(queueName);
  });

  function semaphore(limit: number, ttlMs = 60_000) {
    queueName = uniqueQueueName("sem");
    return new RedisSemaphore({ redis, key: `dynflow:${queueName}:installation:1`, limit, ttlMs, retryMs: 5 });
  }

  it("holds at most `limit` holders and lets a waiter in when a slot is released", async () => {
    const slots = semaphore(2);
    const a = await slots.acquire("a");
    const b = await slots.acquire("b");
    let cGranted = false;
    const c = slots.acquire("c").then((lease) => ((cGranted = true), lease));
    expect(await slots.tryAcquire("d")).toBe(false);
    expect(await slots.count()).toBe(2);
    expect(cGranted).toBe(false);

    await a.release();
    const lease = await c;
    expect(await slots.count()).toBe(2);
    await Promise.all([b.release(), lease.release()]);
    expect(await slots.count()).toBe(0);
  });

  it("gives a holder that already holds a slot the same slot again (an owner re-attaching)", async () => {
    const slots = semaphore(1);
    await slots.acquire("run:key:1");
    expect(await slots.tryAcquire("run:key:1")).toBe(true);
    expect(await slots.count()).toBe(1);
  });

  it("frees the slot of a holder that stopped renewing it (a dead owner)", async () => {
    const slots = semaphore(1, 200);
    // tryAcquire takes a slot without renewing it: like an owner that died right after.
    expect(await slots.tryAcquire("dead")).toBe(true);
    const alive = await slots.acquire("alive");
    expect(await slots.count()).toBe(1);
    // The living holder renews its slot: it outlives several TTLs.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await slots.tryAcquire("other")).toBe(false);
    await alive.release();
  });

  it("gives up waiting when the signal aborts", async () => {
    const slots = semaphore(1);
    await slots.acquire("a");
    const controller = new AbortController();
    const waiting = slots.acquire("b", controller.signal);
    controller.abort(new Error("cancelled"));
    expect(await rejectionOf(waiting)).toMatchObject({ message: "cancelled" });
    expect(await slots.tryAcquire("b")).toBe(false);
  });

  it("keeps two runs of one installation to its cap of queued and running agents", async () => {
    queueName = uniqueQueueName("inst");
    queue = await openAgentQueue({ connection, queueName, pollMs: 100 });
    let running = 0;
    let most = 0;
    const release = deferred();
    const { createRunner } = recordingRunners(async (r) => {
      running += 1;
      most = Math.max(most, running);
      await release.promise;
      running -= 1;
      return result(r.label);
    });
    worker = await startAgentWorker({ connection, queueName, concurrency: 10, createRunner });
    const perInstallation = { limit: 2, retryMs: 5 };
    const one = createQueuedAgentRunner({ queue, runContext: runContext("one", 7), perInstallation });
    const two = createQueuedAgentRunner({ queue, runContext: runContext("two", 7), perInstallation });
    const other = createQueuedAgentRunner({ queue, runContext: runContext("other", 8), perInstallation });
    const done = [0, 1, 2].flatMap((i) => [one.run(request("one", i)), two.run(request("two", i))]);
    const otherDone = [0, 1, 2].map((i) => other.run(request("other", i)));

    await eventually(() => running === 2 + 2, "two agents of each installation running");
    expect(one.enqueued + two.enqueued).toBe(2);
    expect(other.enqueued).toBe(2);
    release.resolve();
    const results = await Promise.all([...done, ...otherDone]);

    expect(results).toHaveLength(9);
    expect(most).toBe(4);
    expect(one.enqueued + two.enqueued).toBe(6);
  });

  it("does not queue an agent whose run is cancelled while it waits for a slot", async () => {
    queueName = uniqueQueueName("instcancel");
    queue = await openAgentQueue({ connection, queueName, pollMs: 100 });
    const hold = new RedisSemaphore({ redis, key: queue.keys.installationSlots(9), limit: 1, retryMs: 5 });
    await hold.acquire("someone else");
    const controller = new AbortController();
    const runner = createQueuedAgentRunner({ queue, runContext: runContext("waits", 9), perInstallation: { limit: 1, retryMs: 5 } });
    const waiting = runner.run(request("waits", 0, controller.signal));

    controller.abort(new Error("cancelled"));

    expect(await rejectionOf(waiting)).toBeInstanceOf(AgentFailedError);
    expect(runner.enqueued).toBe(0);
    expect(await queue.queue.getJobCountByTypes("waiting", "prioritized", "active")).toBe(0);
  });
});
