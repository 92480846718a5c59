/**
 * Order between runs on one queue (agent-order.ts): a small run started after
 * a big one waits for one round of the big run's agents, not its backlog; and
 * within a round, the older run's jobs go first.
 */
import { afterEach, expect, it } from "vitest";
import { createQueuedAgentRunner } from "../../../src/queue/agents/create-queued-agent-runner.js";
import { openAgentQueue, type AgentQueue } from "../../../src/queue/agents/open-agent-queue.js";
import { startAgentWorker, type AgentWorker } from "../../../src/queue/agents/start-agent-worker.js";
import { AGENTS_PER_ROUND } from "../../../src/queue/agents/agent-order.js";
import { deferred, recordingRunners, request, result, runContext } from "./queue-fixture.js";
import { deleteQueueKeys, describeWithRedis, eventually, REDIS_URL, uniqueQueueName } from "../redis-harness.js";

const connection = { url: REDIS_URL };
/** A creation time whose age in the job priority starts a new wrap (see jobPriority), so later ones in the test are later. */
const CREATED = 819_200 * 2_150_000;

describeWithRedis("fairness between runs", () => {
  let queueName: string;
  let queue: AgentQueue | undefined;
  let worker: AgentWorker | undefined;

  afterEach(async () => {
    await worker?.stop(0, 200);
    await queue?.close();
    await deleteQueueKeys(queueName);
  });

  /**
   * A fresh queue and one worker taking one agent at a time, so the start order is the order the queue hands jobs
   * out; the first job taken holds the worker until `holdFirst` resolves, so the rest wait in the queue.
   */
  async function startQueue() {
    queueName = uniqueQueueName("fair");
    const opened = await openAgentQueue({ connection, queueName, pollMs: 100 });
    queue = opened;
    const holdFirst = deferred();
    const { started, createRunner } = recordingRunners(async (r) => {
      if (r.label === started[0]) await holdFirst.promise;
      return result(r.label);
    });
    worker = await startAgentWorker({ connection, queueName, concurrency: 1, createRunner });
    return { queue: opened, started, holdFirst };
  }

  it("starts a small run's agents before a big run's backlog of 30 drains", async () => {
    const { queue, started, holdFirst } = await startQueue();

    const big = createQueuedAgentRunner({ queue, runContext: runContext("big"), runCreatedAt: CREATED });
    const bigDone = Array.from({ length: 30 }, (_, i) => big.run(request("big", i)));
    await eventually(async () => started.length === 1 && (await waiting(queue)) === 29, "the big run's backlog");

    const small = createQueuedAgentRunner({ queue, runContext: runContext("small"), runCreatedAt: CREATED + 60_000 });
    const smallDone = [small.run(request("small", 0)), small.run(request("small", 1))];
    await eventually(async () => (await waiting(queue)) === 31, "the small run's jobs in the queue");
    holdFirst.resolve();
    await Promise.all([...bigDone, ...smallDone]);

    expect(started).toHaveLength(32);
    expect(started[0]).toMatch(/^big /);
    const smallAt = started.flatMap((label, i) => (label.startsWith("small ") ? [i] : []));
    // The big run's first round, then the small run's two jobs, then the rest of the big run's 30.
    expect(smallAt).toEqual([AGENTS_PER_ROUND, AGENTS_PER_ROUND + 1]);
    expect(started.slice(AGENTS_PER_ROUND + 2).every((label) => label.startsWith("big "))).toBe(true);
  });

  it("within a round takes the older run's jobs first, whichever was queued first", async () => {
    const { queue, started, holdFirst } = await startQueue();

    const newer = createQueuedAgentRunner({ queue, runContext: runContext("newer"), runCreatedAt: CREATED + 5_000 });
    const older = createQueuedAgentRunner({ queue, runContext: runContext("older"), runCreatedAt: CREATED });
    const done = [newer.run(request("newer", 0))];
    await eventually(async () => started.length === 1, "the first job taken");
    // Queued in turn, as runs started together ask for their agents.
    for (let i = 1; i < 4; i++) done.push(newer.run(request("newer", i)), older.run(request("older", i)));
    await eventually(async () => (await waiting(queue)) === 6, "both runs' jobs in the queue");
    holdFirst.resolve();
    await Promise.all(done);

    expect(started).toEqual(["newer #0", "older #1", "older #2", "older #3", "newer #1", "newer #2", "newer #3"]);
  });
});

async function waiting(queue: AgentQueue): Promise<number> {
  const counts = await queue.queue.getJobCounts("waiting", "prioritized");
  return (counts.waiting ?? 0) + (counts.prioritized ?? 0);
}
