/**
 * What happens to queued and running agents when a run is cancelled, when a
 * worker stops, and when a worker cannot run an agent at all.
 */
import { afterEach, expect, it } from "vitest";
import { createQueuedAgentRunner, markRunCancelled } from "../../../src/queue/agents/create-queued-agent-runner.js";
import { agentJobId } from "../../../src/queue/agents/agent-job.js";
import { openAgentQueue, type AgentQueue } from "../../../src/queue/agents/open-agent-queue.js";
import { startAgentWorker, type AgentWorker } from "../../../src/queue/agents/start-agent-worker.js";
import { AgentFailedError } from "../../../src/runtime/errors.js";
import { ZERO_USAGE, type AgentRequest } from "../../../src/runtime/types.js";
import { deferred, recordingRunners, rejectionOf, request, result, runContext } from "./queue-fixture.js";
import { deleteQueueKeys, describeWithRedis, eventually, REDIS_URL, uniqueQueueName } from "../redis-harness.js";

const connection = { url: REDIS_URL };
const SPENT = { ...ZERO_USAGE, input: 70, output: 7 };

/** An agent that runs until its signal aborts, then fails reporting what it spent (as the real runner does). */
function untilAborted(r: AgentRequest): Promise<never> {
  return new Promise((_, reject) => {
    r.signal.addEventListener("abort", () => reject(new AgentFailedError(`${r.label} stopped`, SPENT, 0.25)), { once: true });
  });
}

describeWithRedis("cancelling runs and stopping workers", () => {
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
    queue = await openAgentQueue({ connection, queueName, pollMs: 100 });
    return queue;
  }

  async function worker(createRunner: Parameters<typeof startAgentWorker>[0]["createRunner"], concurrency = 1) {
    const started = await startAgentWorker({ connection, queueName, concurrency, createRunner, cancelPollMs: 20 });
    workers.push(started);
    return started;
  }

  it("removes a queued agent at once and stops a running one, counting what it spent", async () => {
    const q = await open("cancel");
    const { started, createRunner } = recordingRunners(untilAborted);
    await worker(createRunner);
    const controller = new AbortController();
    const runner = createQueuedAgentRunner({ queue: q, runContext: runContext("run") });
    const running = runner.run(request("run", 0, controller.signal));
    await eventually(() => started.length === 1, "the first agent to start");
    const queued = runner.run(request("run", 1, controller.signal));
    await eventually(async () => (await q.queue.getJobCounts("prioritized")).prioritized === 1, "the second agent to be queued");

    controller.abort(new Error("cancelled by a user"));

    const [runningError, queuedError] = await Promise.all([rejectionOf(running), rejectionOf(queued)]);
    expect(runningError).toBeInstanceOf(AgentFailedError);
    expect(runningError).toMatchObject({ usage: SPENT, costUsd: 0.25, message: "run #0 stopped" });
    expect(queuedError).toBeInstanceOf(AgentFailedError);
    expect(queuedError).toMatchObject({ usage: ZERO_USAGE, costUsd: 0 });
    expect(started).toEqual(["run #0"]);
    expect(await q.queue.getJob(agentJobId("run", "key-1", 1))).toBeUndefined();
    // A job of the run that a worker takes later still does not start.
    const late = await rejectionOf(runner.run(request("run", 2)));
    expect(late).toMatchObject({ code: "agent_failed", usage: ZERO_USAGE });
    expect((late as Error).message).toContain("cancelled");
    expect(started).toEqual(["run #0"]);
  });

  it("lets a run resumed under the same id run again after it was cancelled", async () => {
    const q = await open("resume");
    const { started, createRunner } = recordingRunners();
    await worker(createRunner);
    await markRunCancelled(q, "resumed");

    const resumed = createQueuedAgentRunner({ queue: q, runContext: runContext("resumed") });

    expect((await resumed.run(request("resumed", 0))).output).toBe("resumed #0");
    expect(started).toEqual(["resumed #0"]);
  });

  it("gives up on a cancelled agent that does not stop within the grace period, counting nothing", async () => {
    const q = await open("grace");
    const never = deferred<never>();
    const { started, createRunner } = recordingRunners(() => never.promise);
    await worker(createRunner);
    const controller = new AbortController();
    const runner = createQueuedAgentRunner({ queue: q, runContext: runContext("stuck"), cancelGraceMs: 100 });
    const running = runner.run(request("stuck", 0, controller.signal));
    await eventually(() => started.length === 1, "the agent to start");

    controller.abort(new Error("deadline"));

    const error = await rejectionOf(running);
    expect(error).toBeInstanceOf(AgentFailedError);
    expect(error).toMatchObject({ usage: ZERO_USAGE, costUsd: 0 });
    expect((error as Error).message).toContain("did not report within 100 ms");
  });

  it("hands a running agent back to the queue when its worker stops, and another worker finishes it", async () => {
    const q = await open("handback");
    const first = recordingRunners(untilAborted);
    const stopping = await worker(first.createRunner);
    const runner = createQueuedAgentRunner({ queue: q, runContext: runContext("move") });
    const done = runner.run(request("move", 0));
    await eventually(() => first.started.length === 1, "the agent to start on the first worker");

    await stopping.stop(50);
    const second = recordingRunners(async (r) => result(`${r.label} finished`, { input: 5, output: 1 }, 0.5));
    await worker(second.createRunner);

    // The second worker's result, and only its spend: the stopped attempt's is lost, never doubled.
    expect(await done).toEqual(result("move #0 finished", { input: 5, output: 1 }, 0.5));
    expect(second.started).toEqual(["move #0"]);
  });

  it("fails the agent without spend when the worker cannot build the run's runner", async () => {
    const q = await open("broken");
    await worker(async () => {
      throw new Error("clone failed: repository not found");
    });
    const runner = createQueuedAgentRunner({ queue: q, runContext: runContext("broken") });

    const error = await rejectionOf(runner.run(request("broken", 0)));

    expect(error).toBeInstanceOf(AgentFailedError);
    expect(error).toMatchObject({ usage: ZERO_USAGE, costUsd: 0 });
    expect((error as Error).message).toContain("clone failed: repository not found");
  });

  it("reports an agent's failure with its spend and partial change, and runs a failed job again on re-attach", async () => {
    const q = await open("failure");
    let calls = 0;
    const change = { branch: "dynflow/f/a", commit: "c".repeat(40), base: "b".repeat(40), files: [], additions: 0, deletions: 0, incomplete: true };
    const { started, createRunner } = recordingRunners(async () => {
      calls += 1;
      if (calls === 1) throw new AgentFailedError("ran out of turns", SPENT, 0.25, { change });
      return result("second time lucky");
    });
    await worker(createRunner);

    const failure = await rejectionOf(createQueuedAgentRunner({ queue: q, runContext: runContext("f") }).run(request("f", 0)));
    expect(failure).toBeInstanceOf(AgentFailedError);
    expect(failure).toMatchObject({ message: "ran out of turns", usage: SPENT, costUsd: 0.25, change });

    // A relaunched owner (same job id) does not replay the failure: the agent runs again.
    const again = await createQueuedAgentRunner({ queue: q, runContext: runContext("f") }).run(request("f", 0));
    expect(again.output).toBe("second time lucky");
    expect(started).toEqual(["f #0", "f #0"]);
  });
});
