/**
 * Fairness between runs on one queue: a small run started after a big one
 * does not wait for the big run's backlog.
 */
import { afterEach, expect, it } from "vitest";
import { createQueuedAgentRunner } from "../../../src/queue/agents/create-queued-agent-runner.js";
import { openAgentQueue, type AgentQueue } from "../../../src/queue/agents/open-agent-queue.js";
import { startAgentWorker, type AgentWorker } from "../../../src/queue/agents/start-agent-worker.js";
import { deferred, recordingRunners, request, result, runContext } from "./queue-fixture.js";
import { deleteQueueKeys, describeWithRedis, eventually, REDIS_URL, uniqueQueueName } from "../redis-harness.js";

const connection = { url: REDIS_URL };

describeWithRedis("fairness between runs", () => {
  let queueName: string;
  let queue: AgentQueue | undefined;
  let worker: AgentWorker | undefined;

  afterEach(async () => {
    await worker?.stop(0, 200);
    await queue?.close();
    await deleteQueueKeys(queueName);
  });

  it("starts a small run's agents before a big run's backlog of 30 drains", async () => {
    queueName = uniqueQueueName("fair");
    queue = await openAgentQueue({ connection, queueName, pollMs: 100 });
    const holdFirst = deferred();
    const { started, createRunner } = recordingRunners(async (r) => {
      if (r.label === started[0]) await holdFirst.promise;
      return result(r.label);
    });
    // One agent at a time, so the start order is the order the queue hands jobs out.
    worker = await startAgentWorker({ connection, queueName, concurrency: 1, createRunner });

    const big = createQueuedAgentRunner({ queue, runContext: runContext("big") });
    const bigDone = Array.from({ length: 30 }, (_, i) => big.run(request("big", i)));
    await eventually(async () => started.length === 1 && (await waiting(queue!)) === 29, "the big run's backlog");

    const small = createQueuedAgentRunner({ queue, runContext: runContext("small") });
    const smallDone = [small.run(request("small", 0)), small.run(request("small", 1))];
    await eventually(async () => (await waiting(queue!)) === 31, "the small run's jobs in the queue");
    holdFirst.resolve();
    await Promise.all([...bigDone, ...smallDone]);

    expect(started).toHaveLength(32);
    expect(started[0]).toMatch(/^big /);
    const smallAt = started.flatMap((label, i) => (label.startsWith("small ") ? [i] : []));
    // Each run's n-th job has the same priority: the small run's two jobs interleave with the
    // big run's next ones instead of waiting behind all 29.
    expect(smallAt).toHaveLength(2);
    expect(Math.max(...smallAt)).toBeLessThanOrEqual(4);
    expect(started.slice(Math.max(...smallAt) + 1).every((label) => label.startsWith("big "))).toBe(true);
  });
});

async function waiting(queue: AgentQueue): Promise<number> {
  const counts = await queue.queue.getJobCounts("waiting", "prioritized");
  return (counts.waiting ?? 0) + (counts.prioritized ?? 0);
}
