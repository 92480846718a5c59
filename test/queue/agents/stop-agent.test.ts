/**
 * Stopping one agent of a queued run (the dashboard's "stop"): the owner
 * leaves a stop mark in Redis, the worker running that agent aborts it, a
 * worker that has not started it never does, the run's other agents go on,
 * and what a stopped or cancelled agent spent is never lost to the owner's
 * attempt to take its job back.
 */
import { afterEach, expect, it } from "vitest";
import { createQueuedAgentRunner } from "../../../src/queue/agents/create-queued-agent-runner.js";
import { openAgentQueue, type AgentQueue } from "../../../src/queue/agents/open-agent-queue.js";
import { startAgentWorker, type AgentWorker } from "../../../src/queue/agents/start-agent-worker.js";
import { AgentFailedError, AgentStoppedError, RunCancelledError } from "../../../src/runtime/errors.js";
import { ZERO_USAGE, type AgentRequest } from "../../../src/runtime/types.js";
import { deferred, recordingRunners, rejectionOf, request, result, runContext } from "./queue-fixture.js";
import { deleteQueueKeys, describeWithRedis, eventually, REDIS_URL, uniqueQueueName } from "../redis-harness.js";

const connection = { url: REDIS_URL };
const SPENT = { ...ZERO_USAGE, input: 40, output: 4 };

describeWithRedis("stopping one agent of a queued run", () => {
  let queueName: string;
  let queue: AgentQueue | undefined;
  const workers: AgentWorker[] = [];

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop(0, 200);
    await queue?.close();
    await deleteQueueKeys(queueName);
  });

  async function open(label: string) {
    queueName = uniqueQueueName(label);
    queue = await openAgentQueue({ connection, queueName, pollMs: 50 });
    return queue;
  }

  async function worker(createRunner: Parameters<typeof startAgentWorker>[0]["createRunner"], concurrency = 2) {
    const started = await startAgentWorker({ connection, queueName, concurrency, createRunner, cancelPollMs: 20 });
    workers.push(started);
    return started;
  }

  /** Runs until aborted, then fails with its spend; records why it was aborted. */
  function stoppable(reasons: unknown[]) {
    return (r: AgentRequest) =>
      new Promise<never>((_, reject) => {
        r.signal.addEventListener("abort", () => {
          reasons.push(r.signal.reason);
          reject(new AgentFailedError(`${r.label} aborted`, SPENT, 0.1));
        });
      });
  }

  it("aborts the running agent on its worker as stopped, with its spend, while the run's other agent goes on", async () => {
    const q = await open("stop-running");
    const reasons: unknown[] = [];
    const release = deferred();
    const { started, createRunner } = recordingRunners(async (r) => {
      if (r.agentId === "a0") return stoppable(reasons)(r);
      await release.promise;
      return result("sibling done");
    });
    await worker(createRunner);
    const runner = createQueuedAgentRunner({ queue: q, runContext: runContext("run") });
    const stop = new AbortController();
    const stopped = runner.run(request("run", 0, stop.signal));
    const sibling = runner.run(request("run", 1));
    await eventually(() => started.length === 2, "both agents to start");

    stop.abort(new AgentStoppedError("a0", "stopped by @octocat"));

    const error = await rejectionOf(stopped);
    expect(error).toBeInstanceOf(AgentFailedError);
    expect(error).toMatchObject({ stopped: true, usage: SPENT, costUsd: 0.1 });
    expect((error as Error).message).toContain("stopped by @octocat");
    // The worker aborted it as a stop, not as a cancel of the run.
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toBeInstanceOf(AgentStoppedError);
    release.resolve();
    expect((await sibling).output).toBe("sibling done");
  });

  it.each([
    ["stopped", () => new AgentStoppedError("a0", "stopped by @octocat"), { stopped: true }],
    ["cancelled with its run", () => new RunCancelledError("cancelled by @octocat"), {}],
  ])("keeps the spend of an agent whose worker reported it %s before the owner tried to take its job back", async (_, reason, expected) => {
    const q = await open("stop-raced");
    const { started, createRunner } = recordingRunners(stoppable([]));
    await worker(createRunner);
    // The owner's remove reaches Redis only once the worker has stored the stopped agent's outcome (a fast cancel poll).
    const late = new Proxy(q.queue, {
      get(target, property, receiver) {
        if (property !== "remove") return Reflect.get(target, property, receiver) as unknown;
        return async (jobId: string) => {
          await eventually(async () => (await target.getJobState(jobId)) === "completed", "the worker to store the outcome");
          return target.remove(jobId);
        };
      },
    });
    const runner = createQueuedAgentRunner({ queue: { ...q, queue: late }, runContext: runContext("raced") });
    const stop = new AbortController();
    const stopped = runner.run(request("raced", 0, stop.signal));
    await eventually(() => started.length === 1, "the agent to start");

    stop.abort(reason());

    expect(await rejectionOf(stopped)).toMatchObject({ ...expected, usage: SPENT, costUsd: 0.1 });
  });

  it("never starts an agent stopped while its job waited", async () => {
    const q = await open("stop-queued");
    const hold = deferred();
    const { started, createRunner } = recordingRunners(async (r) => {
      await hold.promise;
      return result(r.label);
    });
    await worker(createRunner, 1);
    const runner = createQueuedAgentRunner({ queue: q, runContext: runContext("wait") });
    const first = runner.run(request("wait", 0));
    await eventually(() => started.length === 1, "the first agent to take the only slot");
    const stop = new AbortController();
    const waiting = runner.run(request("wait", 1, stop.signal));
    await eventually(async () => (await q.queue.getJobCounts("prioritized")).prioritized === 1, "the second agent to be queued");

    stop.abort(new AgentStoppedError("a1", "stopped from the dashboard"));

    expect(await rejectionOf(waiting)).toMatchObject({ stopped: true, usage: ZERO_USAGE, costUsd: 0 });
    hold.resolve();
    await first;
    expect(started).toEqual(["wait #0"]);
  });

  it("has a worker that finds the stop mark before starting the agent report it stopped without running it", async () => {
    const q = await open("stop-mark");
    const { started, createRunner } = recordingRunners();
    const runner = createQueuedAgentRunner({ queue: q, runContext: runContext("marked") });
    // The mark is read by the worker, so the run's first agents are queued before any worker exists.
    const outcomes = [runner.run(request("marked", 0)), runner.run(request("marked", 1))].map((p) => p.then((r) => r.output, (e: unknown) => e));
    await eventually(async () => (await q.queue.getJobCounts("prioritized", "waiting")).prioritized === 2, "both jobs to be queued");
    // The owner's mark for a1, left while no worker had taken its job yet (e.g. the owner lost the race to remove it).
    await q.redis.hset(q.keys.stops("marked"), "a1", "1");
    await worker(createRunner);
    const [kept, stopped] = await Promise.all(outcomes);
    expect(kept).toBe("marked #0");
    expect(stopped).toBeInstanceOf(AgentFailedError);
    expect(stopped).toMatchObject({ stopped: true, usage: ZERO_USAGE });
    expect(started).toEqual(["marked #0"]);
  });

  it("runs an agent stopped in an earlier execution again when the run is resumed under its id", async () => {
    const q = await open("stop-resume");
    const reasons: unknown[] = [];
    let executions = 0;
    const { started, createRunner } = recordingRunners(async (r) => (++executions === 1 ? stoppable(reasons)(r) : result("second time")));
    await worker(createRunner);
    const first = createQueuedAgentRunner({ queue: q, runContext: runContext("again") });
    const stop = new AbortController();
    const stopped = first.run(request("again", 0, stop.signal));
    await eventually(() => started.length === 1, "the agent to start");
    stop.abort(new AgentStoppedError("a0", "stopped from the dashboard"));
    expect(await rejectionOf(stopped)).toMatchObject({ stopped: true });

    // The resumed execution: a new owner, the same run id and agent id.
    const resumed = createQueuedAgentRunner({ queue: q, runContext: runContext("again") });
    expect((await resumed.run(request("again", 0))).output).toBe("second time");
    expect(started).toEqual(["again #0", "again #0"]);
  });
});
