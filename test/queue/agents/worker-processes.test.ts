/**
 * Scale-out end to end: two `dynflow worker` processes share the agents of a
 * fan-out that the test process owns (a real plan script, the real
 * scheduler, the queued runner), over the real Redis, a real git repository
 * and the fake model API. The tests share the two workers and run in order;
 * the last one kills one of them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { costOf } from "../../../src/agents/model/index.js";
import { createQueuedAgentRunner } from "../../../src/queue/agents/create-queued-agent-runner.js";
import { openAgentQueue, type AgentQueue } from "../../../src/queue/agents/open-agent-queue.js";
import type { QueuedRunContext } from "../../../src/queue/agents/types.js";
import { MemoryJournal } from "../../../src/runtime/journal/memory-journal.js";
import { runScript } from "../../../src/runtime/run-script.js";
import type { RunOutcome, TokenUsage } from "../../../src/runtime/types.js";
import { reply, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../../fakes/fake-anthropic.js";
import { makeRepo, removeDir, tempDir, testGitEnv, type FixtureRepo } from "../../workspace/git-fixture.js";
import { deleteQueueKeys, describeWithRedis, eventually, REDIS_URL, uniqueQueueName } from "../redis-harness.js";

const ENTRY = fileURLToPath(new URL("./fixtures/worker-entry.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const TEST_MODEL = "test-model";
const PRICE = { input: 1, output: 2, cacheWrite: 3, cacheRead: 0.5 };
const GLOBAL_CAP = 3;

const FAN_OUT = `export const meta = { name: "fan-out", description: "one agent per item" };
return await parallel(Array.from({ length: args.n }, (_, i) => () => agent("Handle item " + i + ".", { label: "item " + i })));
`;

interface WorkerProcess {
  key: string;
  child: ChildProcess;
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describeWithRedis("agents on two worker processes", () => {
  const queueName = uniqueQueueName("procs");
  let api: FakeAnthropic;
  let repo: FixtureRepo;
  let queue: AgentQueue;
  const dataDirs: string[] = [];
  const workers: WorkerProcess[] = [];
  const hangOnce = new Set<number>();
  /**
   * While set, the first model call waits until the other worker has made one too: both workers then
   * provably hold an agent at the same moment, however slowly a loaded machine starts the second.
   */
  let overlap: { first: boolean; seen: Set<string>; open: () => void; opened: Promise<void> } | null = null;

  beforeAll(async () => {
    // Caching off: every request for an item costs the same, so spend can be compared per item.
    api = await startFakeAnthropic({ minCacheTokens: 1e9 });
    api.handle(async (request) => {
      const item = itemOf(request);
      if (hangOnce.delete(item)) return reply.hang();
      if (overlap) {
        overlap.seen.add(workerOf(request));
        if (overlap.seen.size >= 2) overlap.open();
        else if (!overlap.first) {
          overlap.first = true;
          await overlap.opened;
        }
      }
      return reply.toolUse("finish", { summary: `handled item ${item}`, result: `item ${item} ok` }, { delayMs: 60 });
    });
    repo = await makeRepo({ "README.md": "# items\n" });
    queue = await openAgentQueue({ connection: { url: REDIS_URL }, queueName, pollMs: 200 });
    workers.push(...(await Promise.all(["sk-worker-a", "sk-worker-b"].map((key) => startWorker(key)))));
  });

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGTERM");
    const exits = await Promise.all(workers.map((worker) => worker.exited));
    await queue?.close();
    await api?.close();
    await deleteQueueKeys(queueName);
    await removeDir(repo.dir);
    for (const dir of dataDirs) await removeDir(dir);
    // The survivors stop cleanly on SIGTERM.
    expect(exits.filter((exit) => exit.signal !== "SIGKILL")).toEqual(exits.filter((exit) => exit.signal !== "SIGKILL").map(() => ({ code: 0, signal: null })));
  });

  async function startWorker(key: string): Promise<WorkerProcess> {
    const dataDir = await tempDir("dynflow-worker-data-");
    dataDirs.push(dataDir);
    const env: NodeJS.ProcessEnv = {
      ...testGitEnv(),
      REDIS_URL,
      ANTHROPIC_API_KEY: key,
      ANTHROPIC_BASE_URL: api.url,
      DYNFLOW_DATA_DIR: dataDir,
      DYNFLOW_MAX_CONCURRENCY: String(GLOBAL_CAP),
      DYNFLOW_PRICES: JSON.stringify({ [TEST_MODEL]: PRICE }),
      LOG_LEVEL: "warn",
    };
    for (const name of ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "NODE_ENV", "DATABASE_URL"]) delete env[name];
    // Two agents at once per worker, three across both: the global cap holds them back, and one worker can never
    // take every slot (BullMQ hands a worker finishing a job the next one), which would starve the other.
    const args = ["--import", "tsx", ENTRY, "--queue", queueName, "--concurrency", "2", "--lock-ms", "2000", "--stalled-check-ms", "500", "--shutdown-grace", "5"];
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const stderr: string[] = [];
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("ready\n")) resolve();
      });
      void exited.then((exit) => reject(new Error(`worker ${key} exited before it was ready (${JSON.stringify(exit)}):\n${stderr.join("")}`)));
    });
    return { key, child, stderr, exited };
  }

  function context(runId: string): QueuedRunContext {
    return {
      runId,
      installationId: null,
      repository: { kind: "local", path: repo.dir },
      baseCommit: repo.head,
      task: "Handle every listed item.",
      models: { worker: TEST_MODEL, refuter: TEST_MODEL, resolver: TEST_MODEL },
      author: { name: "dynflow[bot]", email: "dynflow@example.com" },
    };
  }

  function fanOut(runId: string, n: number): Promise<RunOutcome> {
    return runScript({
      runId,
      source: FAN_OUT,
      args: { n },
      baseRevision: repo.head,
      runner: createQueuedAgentRunner({ queue, runContext: context(runId) }),
      journal: new MemoryJournal(),
      // The run itself would allow all of them at once: the global cap is what holds them back.
      limits: { maxConcurrency: n },
    });
  }

  it(`runs a fan-out of 40 agents on both workers, never more than ${GLOBAL_CAP} at once, each model call once`, async () => {
    let open = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    overlap = { first: false, seen: new Set(), open, opened };
    const outcome = await fanOut("fanout", 40).finally(() => (overlap = null));

    expect(outcome.status).toBe("ok");
    expect(outcome.result).toEqual(Array.from({ length: 40 }, (_, i) => `item ${i} ok`));
    expect(outcome.stats).toMatchObject({ total: 40, failed: 0 });
    expect(api.maxInFlight).toBeLessThanOrEqual(GLOBAL_CAP);
    expect(api.maxInFlight).toBeGreaterThan(1);
    const items = api.requests.map(itemOf).sort((a, b) => a - b);
    expect(items).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const byWorker = countBy(api.requests, workerOf);
    expect(Object.keys(byWorker).sort()).toEqual(["sk-worker-a", "sk-worker-b"]);
    // The owner counted exactly what the model reported, once.
    expect(outcome.usage).toEqual(sumUsage(api.requests));
    expect(outcome.costUsd).toBeCloseTo(costOf(sumUsage(api.requests), PRICE), 9);
  });

  it("re-attaches a relaunched owner to the finished jobs: no model call the second time", async () => {
    const before = api.requests.length;
    const first = await fanOut("reattach", 8);
    expect(api.requests.length - before).toBe(8);

    // Same run id, empty journal: what an owner that crashed before journaling anything would do.
    const second = await fanOut("reattach", 8);

    expect(api.requests.length - before).toBe(8);
    expect(second.status).toBe("ok");
    expect(second.result).toEqual(first.result);
    expect(second.agents.map((agent) => agent.usage)).toEqual(first.agents.map((agent) => agent.usage));
  });

  it("retries an agent on the other worker when its worker is killed mid-agent, and counts its spend once", async () => {
    const start = api.requests.length;
    hangOnce.add(3);
    const running = fanOut("killed", 6);
    await eventually(() => api.requests.slice(start).some((request) => itemOf(request) === 3), "the model request of item 3");
    const hung = api.requests.slice(start).find((request) => itemOf(request) === 3)!;
    const victim = workers.find((worker) => worker.key === workerOf(hung))!;
    victim.child.kill("SIGKILL");
    expect(await victim.exited).toEqual({ code: null, signal: "SIGKILL" });

    const outcome = await running;

    expect(outcome.status).toBe("ok");
    expect(outcome.result).toEqual(Array.from({ length: 6 }, (_, i) => `item ${i} ok`));
    const item3 = api.requests.slice(start).filter((request) => itemOf(request) === 3);
    expect(item3.map((request) => [workerOf(request) === victim.key, request.status])).toEqual([
      [true, null],
      [false, 200],
    ]);
    // Each agent is counted once, from the attempt that finished (the killed attempt's spend is lost, not doubled).
    const record = outcome.agents.find((agent) => agent.label === "item 3")!;
    expect(record.usage).toEqual(sumUsage(item3));
    for (const agent of outcome.agents) {
      const finished = api.requests.slice(start).filter((request) => `item ${itemOf(request)}` === agent.label && request.status === 200);
      expect(agent.usage).toEqual(sumUsage(finished.slice(-1)));
    }
  });
});

function itemOf(request: RecordedRequest): number {
  const match = /Handle item (\d+)\./.exec(JSON.stringify(request.body?.messages ?? []));
  if (!match) throw new Error(`not an item request: ${JSON.stringify(request.body).slice(0, 300)}`);
  return Number(match[1]);
}

/** Which worker sent a request: each worker has its own API key. */
function workerOf(request: RecordedRequest): string {
  const { authorization, "x-api-key": apiKey } = request.headers;
  return String(apiKey ?? authorization?.replace(/^Bearer /, ""));
}

function countBy<T>(values: T[], key: (value: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[key(value)] = (counts[key(value)] ?? 0) + 1;
  return counts;
}

function sumUsage(requests: RecordedRequest[]): TokenUsage {
  const usage: TokenUsage = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
  for (const { usage: u, status } of requests) {
    if (!u || status !== 200) continue;
    usage.input += u.input_tokens;
    usage.output += u.output_tokens;
    usage.cacheWrite += u.cache_creation_input_tokens;
    usage.cacheRead += u.cache_read_input_tokens;
  }
  return usage;
}
