/**
 * `run_command` on a `dynflow worker` process: the owner queues an agent of a
 * run with commands, a real worker process prepares its own sandbox (base
 * tree, then setup again, there), the agent calls the tool, and the command's
 * output reaches the model. Real Redis, a real git repository, the fake model
 * API; skipped (saying why) where the host cannot sandbox commands.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { hostname } from "node:os";
import { pino } from "pino";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EMPTY_COMMANDS_CONFIG, type CommandsConfig } from "../../../src/command-sandbox/index.js";
import { createModelClient } from "../../../src/agents/model/index.js";
import { createRunnerFactory } from "../../../src/queue/agents/create-runner-factory.js";
import { startAgentWorker } from "../../../src/queue/agents/start-agent-worker.js";
import { createQueuedAgentRunner } from "../../../src/queue/agents/create-queued-agent-runner.js";
import { openAgentQueue, type AgentQueue } from "../../../src/queue/agents/open-agent-queue.js";
import type { QueuedRunContext } from "../../../src/queue/agents/types.js";
import { MemoryJournal } from "../../../src/runtime/journal/memory-journal.js";
import { runScript } from "../../../src/runtime/run-script.js";
import { reply, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../../fakes/fake-anthropic.js";
import { skipSandbox } from "../../command-sandbox/sandbox-harness.js";
import { makeRepo, removeDir, tempDir, testGitEnv, type FixtureRepo } from "../../workspace/git-fixture.js";
import { deleteQueueKeys, describeWithRedis, REDIS_URL, uniqueQueueName } from "../redis-harness.js";

const ENTRY = fileURLToPath(new URL("./fixtures/worker-entry.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const TEST_MODEL = "test-model";

const ONE_AGENT = `export const meta = { name: "one", description: "one agent" };
return await agent(args.prompt, { label: args.label });
`;

/** Setup writes a file only the worker's own setup layer can hold; the command reads it and a file of the base tree. */
const COMMANDS: CommandsConfig = {
  ...EMPTY_COMMANDS_CONFIG,
  commands: { test: "cat made-by-setup.txt README.md" },
  setup: ["echo setup ran here > made-by-setup.txt"],
};

describeWithRedis("run_command on a worker process", () => {
  if (skipSandbox) {
    it.skip("needs a host that can sandbox commands", () => {});
    return;
  }
  const queueName = uniqueQueueName("wcmd");
  let api: FakeAnthropic;
  let repo: FixtureRepo;
  let queue: AgentQueue;
  let dataDir: string;
  let worker: { child: ChildProcess; stderr: string[]; exited: Promise<unknown> };

  beforeAll(async () => {
    api = await startFakeAnthropic({ minCacheTokens: 1e9 });
    // The agent runs the test command if it has the tool, then finishes with what the tool said.
    api.handle((request) => {
      const result = lastToolResult(request);
      if (result !== null) return reply.toolUse("finish", { summary: "ran the tests", result });
      if (toolNames(request).includes("run_command")) return reply.toolUse("run_command", { name: "test" });
      return reply.toolUse("finish", { summary: "no tool", result: "no run_command" });
    });
    repo = await makeRepo({ "README.md": "# from the base tree\n" });
    queue = await openAgentQueue({ connection: { url: REDIS_URL }, queueName, pollMs: 200 });
    dataDir = await tempDir("dynflow-worker-data-");
    worker = await startWorker();
  });

  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill("SIGTERM");
    await worker?.exited;
    await queue?.close();
    await api?.close();
    await deleteQueueKeys(queueName);
    if (repo) await removeDir(repo.dir);
    if (dataDir) await removeDir(dataDir);
  });

  async function startWorker(): Promise<typeof worker> {
    const env: NodeJS.ProcessEnv = {
      ...testGitEnv(),
      REDIS_URL,
      ANTHROPIC_API_KEY: "sk-worker",
      ANTHROPIC_BASE_URL: api.url,
      DYNFLOW_DATA_DIR: dataDir,
      DYNFLOW_PRICES: JSON.stringify({ [TEST_MODEL]: { input: 1, output: 2, cacheWrite: 3, cacheRead: 0.5 } }),
      LOG_LEVEL: "warn",
    };
    for (const name of ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "NODE_ENV", "DATABASE_URL"]) delete env[name];
    const child = spawn(process.execPath, ["--import", "tsx", ENTRY, "--queue", queueName, "--concurrency", "2"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const stderr: string[] = [];
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("ready\n")) resolve();
      });
      void exited.then((exit) => reject(new Error(`the worker exited before it was ready (${JSON.stringify(exit)}):\n${stderr.join("")}`)));
    });
    return { child, stderr, exited };
  }

  function runOne(runId: string, commands: CommandsConfig | undefined, onNote?: (note: string) => void) {
    const runContext: QueuedRunContext = {
      runId,
      installationId: null,
      repository: { kind: "local", path: repo.dir },
      baseCommit: repo.head,
      task: "Run the tests.",
      models: { worker: TEST_MODEL, refuter: TEST_MODEL, resolver: TEST_MODEL },
      author: { name: "dynflow[bot]", email: "dynflow@example.com" },
      ...(commands ? { commands } : {}),
    };
    return runScript({
      runId,
      source: ONE_AGENT,
      args: { prompt: `Run the tests of ${runId}.`, label: runId },
      baseRevision: repo.head,
      runner: createQueuedAgentRunner({ queue, runContext, ...(onNote ? { onNote } : {}) }),
      journal: new MemoryJournal(),
    });
  }

  it("gives the worker's agent run_command; the command runs over the worker's setup layer and its output reaches the model", async () => {
    const outcome = await runOne("with-commands", COMMANDS);

    expect(outcome.status, worker.stderr.join("")).toBe("ok");
    const requests = api.requests.filter((request) => JSON.stringify(request.body?.messages ?? []).includes("Run the tests of with-commands."));
    expect(toolNames(requests[0]!)).toContain("run_command");
    const result = lastToolResult(requests.at(-1)!);
    expect(result).toContain("$ cat made-by-setup.txt README.md");
    expect(result).toContain("exit code 0");
    expect(result).toContain("setup ran here");
    expect(result).toContain("# from the base tree");
    expect(outcome.result).toBe(result);
  });

  it("offers no run_command where the worker's host cannot sandbox, and tells the owner why for the report", async () => {
    // This worker (in process, on the same queue) answers the probe with no; the process worker is paused meanwhile.
    const model = createModelClient({ apiKey: "sk-nosandbox", baseURL: api.url, prices: { [TEST_MODEL]: { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 } }, maxRetries: 0, log: pino({ level: "silent" }) });
    const unsandboxed = await startAgentWorker({
      connection: { url: REDIS_URL },
      queueName,
      concurrency: 1,
      createRunner: createRunnerFactory({ model, dataDir, env: testGitEnv(), sandboxAvailability: async () => ({ available: false, reason: "no user namespaces here" }) }),
    });
    worker.child.kill("SIGSTOP");
    const notes: string[] = [];
    try {
      const outcome = await runOne("no-sandbox", COMMANDS, (note) => notes.push(note));
      expect(outcome.status).toBe("ok");
      expect(outcome.result).toBe("no run_command");
    } finally {
      worker.child.kill("SIGCONT");
      await unsandboxed.stop(1000);
    }
    expect(notes).toEqual([`Agents on worker ${hostname()} had no run_command tool: that host cannot sandbox commands (no user namespaces here).`]);
  });

  it("offers no run_command to an agent of a run without commands", async () => {
    const outcome = await runOne("without-commands", undefined);

    expect(outcome.status).toBe("ok");
    expect(outcome.result).toBe("no run_command");
  });
});

function toolNames(request: RecordedRequest): string[] {
  return ((request.body?.tools ?? []) as { name: string }[]).map((tool) => tool.name);
}

/** The text of the last tool result the model was sent, or null. */
function lastToolResult(request: RecordedRequest): string | null {
  const messages = (request.body?.messages ?? []) as { role: string; content: unknown }[];
  for (const message of [...messages].reverse()) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content as { type: string; content?: unknown }[]) {
      if (block.type !== "tool_result") continue;
      const content = block.content;
      if (typeof content === "string") return content;
      if (Array.isArray(content)) return (content as { text?: string }[]).map((part) => part.text ?? "").join("");
    }
  }
  return null;
}
