/**
 * Transcripts of workers without the database: collected per agent on the
 * worker, sent in the job's outcome, stored by the run's owner.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createQueuedAgentRunner } from "../../src/queue/agents/create-queued-agent-runner.js";
import { openAgentQueue } from "../../src/queue/agents/open-agent-queue.js";
import { startAgentWorker } from "../../src/queue/agents/start-agent-worker.js";
import type { CreateRunner } from "../../src/queue/agents/types.js";
import { AgentFailedError } from "../../src/runtime/errors.js";
import { ZERO_USAGE, type AgentRequest } from "../../src/runtime/types.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import { createTranscriptRecorder } from "../../src/transcripts/create-transcript-recorder.js";
import { recordAgent } from "../../src/transcripts/record-agent.js";
import { createShippedTranscripts, type ShippedTranscripts } from "../../src/transcripts/ship-transcripts.js";
import { DOC_AGENT, type TranscriptRecorder } from "../../src/transcripts/types.js";
import { rejectionOf, request, result, runContext } from "../queue/agents/queue-fixture.js";
import { deleteQueueKeys, describeWithRedis, REDIS_URL, uniqueQueueName } from "../queue/redis-harness.js";

const usage = { ...ZERO_USAGE, input: 12, output: 3 };
const noDiff = { diff: async () => "" };

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dynflow-shipped-"));
  store = await openStore({ sqlitePath: join(dir, "owner.db") });
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** What an agent records on the worker: its prompt (shared system prompt and task), a tool call, its end. */
function work(recorder: TranscriptRecorder, r: AgentRequest, secret = "") {
  return recordAgent(recorder, r, noDiff, async (t) => {
    t.prompt({ model: "claude-test", system: "You are a worker.", shared: "Task: rename the helpers.", prompt: r.prompt });
    t.tool({ turn: 1, name: "read_file", input: { path: "src/a.ts" }, output: `const token = "${secret}";`, isError: false, ms: 2 });
    if (r.agentId === "a9") throw new AgentFailedError("the model refused", usage, 0.02);
    return result(`${r.label} done`, usage, 0.02);
  });
}

describe("shipped transcripts on the worker", () => {
  it("collects each agent's own entries, the shared documents only with the first agent that needs them", async () => {
    const shipped = createShippedTranscripts({ flushMs: 60_000 });
    await Promise.all([work(shipped.recorder, request("run", 1)), work(shipped.recorder, request("run", 2))]);

    const first = await shipped.collect("run", "a1");
    expect(first.filter((e) => e.agentId === "a1").map((e) => e.kind)).toEqual(["start", "prompt", "tool", "end"]);
    expect(first.filter((e) => e.agentId === DOC_AGENT).map((e) => (e.body as { name: string }).name).sort()).toEqual(["task context", "worker system prompt"]);
    const second = await shipped.collect("run", "a2");
    expect(second.map((e) => [e.agentId, e.kind])).toEqual([
      ["a2", "start"],
      ["a2", "prompt"],
      ["a2", "tool"],
      ["a2", "end"],
    ]);
    // Taken once: nothing is kept in memory afterwards.
    expect(await shipped.collect("run", "a1")).toEqual([]);
    await shipped.recorder.close();
  });
});

describe("an owner receiving shipped transcripts", () => {
  it("stores the agent's entries under the run's bound, documents once, and drops what is not the agent's or not well-formed", async () => {
    const owner = createTranscriptRecorder({ sink: store.transcripts, secrets: ["owner-only-secret-value"], flushMs: 60_000 });
    const shipped = createShippedTranscripts({ flushMs: 60_000 });
    await work(shipped.recorder, request("run", 1), "owner-only-secret-value");
    await work(shipped.recorder, request("run", 2));
    const a1 = await shipped.collect("run", "a1");
    const a2 = await shipped.collect("run", "a2");

    const foreign = a2.map((e) => ({ ...e }));
    expect(owner.receive("run", "a1", [...a1, ...foreign, { kind: "tool" }, null, "x", { ...a1[0], runId: "other" }])).toBe(a1.length);
    // The same documents again (another worker's first agent): stored once.
    expect(owner.receive("run", "a2", [...a2, ...a1.filter((e) => e.agentId === DOC_AGENT)])).toBe(a2.length);
    expect(owner.receive("run", "a3", "not a list")).toBe(0);
    await owner.flush();

    const stored = await store.transcripts.listAgent("run", "a1");
    expect(stored.map((e) => e.kind)).toEqual(["start", "prompt", "tool", "end"]);
    // A secret only the owner knew is removed before it is stored.
    expect(JSON.stringify(stored)).not.toContain("owner-only-secret-value");
    expect(JSON.stringify(stored)).toContain("[redacted]");
    expect((await store.transcripts.listAgent("run", "a2")).map((e) => e.kind)).toEqual(["start", "prompt", "tool", "end"]);
    expect(await store.transcripts.listAgent("run", DOC_AGENT)).toHaveLength(2);
    expect((await store.transcripts.usage("run")).bytes).toBeGreaterThan(0);
    await owner.close();
    await shipped.recorder.close();
  });
});

describeWithRedis("transcripts through the agents queue", () => {
  let queueName: string;

  afterEach(async () => {
    await deleteQueueKeys(queueName);
  });

  it("stores the transcripts of a worker without the database, finished and failed agents alike", async () => {
    queueName = uniqueQueueName("shipped");
    const shipped: ShippedTranscripts = createShippedTranscripts({ flushMs: 60_000 });
    const createRunner: CreateRunner = async () => ({ runner: { run: (r) => work(shipped.recorder, r) }, close: async () => {} });
    const worker = await startAgentWorker({ connection: { url: REDIS_URL }, queueName, concurrency: 2, createRunner, shipTranscripts: shipped });
    const queue = await openAgentQueue({ connection: { url: REDIS_URL }, queueName, pollMs: 50 });
    const owner = createTranscriptRecorder({ sink: store.transcripts, flushMs: 10 });
    try {
      const runner = createQueuedAgentRunner({ queue, runContext: runContext("run"), transcripts: owner });
      expect((await runner.run(request("run", 1))).output).toBe("run #1 done");
      expect(await rejectionOf(runner.run(request("run", 9)))).toMatchObject({ message: "the model refused", usage });
      await owner.flush();

      const finished = await store.transcripts.listAgent("run", "a1");
      expect(finished.map((e) => e.kind)).toEqual(["start", "prompt", "tool", "end"]);
      expect(finished.at(-1)?.body).toMatchObject({ status: "finished", output: "run #1 done" });
      const failed = await store.transcripts.listAgent("run", "a9");
      expect(failed.at(-1)?.body).toMatchObject({ status: "failed", error: "the model refused" });
      const docs = await store.transcripts.listAgent("run", DOC_AGENT);
      expect(docs.map((d) => (d.body as { text: string }).text).sort()).toEqual(["Task: rename the helpers.", "You are a worker."]);
    } finally {
      await worker.stop(0, 200);
      await queue.close();
      await owner.close();
    }
  });
});
