/**
 * Where a run's agents run: in this process under the process-wide caps that
 * every run shares, or on workers through the Redis queue, with each change
 * fetched into the run's clone (as a local branch) before the run merges it.
 * Real git, the fake model API, the real Redis for the queued side.
 */
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentRunnerDeps } from "../../../src/agents/create-agent-runner.js";
import { createModelClient } from "../../../src/agents/model/index.js";
import { createRunRunner } from "../../../src/app/execute/create-run-runner.js";
import type { RunRepository } from "../../../src/app/services/open-run-repository.js";
import { EMPTY_COMMANDS_CONFIG } from "../../../src/command-sandbox/index.js";
import { prepareCommands } from "../../../src/run/prepare-commands.js";
import { skipSandbox } from "../../command-sandbox/sandbox-harness.js";
import { createProcessCaps } from "../../../src/queue/agents/create-capped-runner.js";
import { createRunnerFactory } from "../../../src/queue/agents/create-runner-factory.js";
import { openAgentQueue, type AgentQueue } from "../../../src/queue/agents/open-agent-queue.js";
import { startAgentWorker, type AgentWorker } from "../../../src/queue/agents/start-agent-worker.js";
import type { ChangeRef } from "../../../src/runtime/types.js";
import { cloneDirOf, openRepository, syncClone, type GitRepository } from "../../../src/workspace/index.js";
import { makeRemote } from "../../durability/app-processes.js";
import { reply, startFakeAnthropic, type FakeAnthropic, type FakeHandler } from "../../fakes/fake-anthropic.js";
import { request } from "../../queue/agents/queue-fixture.js";
import { deleteQueueKeys, describeWithRedis, REDIS_URL, uniqueQueueName } from "../../queue/redis-harness.js";
import { git, removeDir, tempDir, testGitEnv } from "../../workspace/git-fixture.js";

const TEST_MODEL = "test-model";
const PRICES = { [TEST_MODEL]: { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 } };
const log = pino({ level: "silent" });

/** Each agent writes `notes/<label>.md`, then finishes. */
const writeNote: FakeHandler = (recorded) => {
  const label = /Write the note (\w+)/.exec(JSON.stringify(recorded.body.messages[0]))?.[1] ?? "unknown";
  if (recorded.body.messages.length > 1) return reply.toolUse("finish", { summary: `wrote ${label}`, result: label });
  return reply.toolUse("write_file", { path: `notes/${label}.md`, content: `# ${label}\n` }, { delayMs: 40 });
};

describe("createRunRunner", () => {
  let work: string;
  let origin: string;
  let base: string;
  let api: FakeAnthropic;
  const run = { id: "r-runner", installationId: 77, owner: "acme", repo: "notes" };
  let owner: GitRepository;
  let open: RunRepository;

  beforeAll(async () => {
    work = await tempDir("dynflow-run-runner-");
    origin = await makeRemote(work, "origin", { "README.md": "# notes\n" });
    base = await git(origin, "rev-parse", "main");
    api = await startFakeAnthropic({ prefixDelayMs: 1, handler: writeNote });
    // The run's clone, where the web process (or whichever process owns the run) keeps it.
    const dir = cloneDirOf(`${work}/owner`, run);
    await syncClone({ cloneUrl: `file://${origin}`, dir, ref: base, env: testGitEnv() });
    owner = await openRepository(dir, { env: testGitEnv() });
    open = { repository: owner, cloneUrl: `file://${origin}`, freshToken: async () => "" };
  });

  afterAll(async () => {
    await owner?.close();
    await api?.close();
    await removeDir(work);
  });

  function deps(runId: string): AgentRunnerDeps {
    const model = createModelClient({ apiKey: "sk-owner", baseURL: api.url, prices: PRICES, maxRetries: 0, log });
    return { model, repository: owner, runId, baseCommit: base, task: "Write notes.", models: { worker: TEST_MODEL }, author: { name: "dynflow[bot]", email: "bot@example.com" } };
  }

  function noteRequest(runId: string, n: number, label: string) {
    return { ...request(runId, n), label, prompt: `Write the note ${label}.` };
  }

  it("holds every run of the process to the process-wide cap", async () => {
    const caps = createProcessCaps({ global: 1, perInstallation: 4 });
    const placement = { kind: "process" as const, caps };
    const first = createRunRunner({ placement, run, open, dataDir: `${work}/owner`, log })(deps("r-capped-a"));
    const second = createRunRunner({ placement, run: { ...run, id: "r-capped-b" }, open, dataDir: `${work}/owner`, log })(deps("r-capped-b"));
    const before = api.requests.length;

    const results = await Promise.all([first.run(noteRequest("r-capped-a", 1, "alpha")), second.run(noteRequest("r-capped-b", 1, "beta"))]);

    expect(results.map((result) => result.output)).toEqual(["alpha", "beta"]);
    expect(api.requests.length - before).toBe(4);
    // Two runs, one slot: their model calls never overlapped.
    expect(api.maxInFlight).toBe(1);
  });

  describeWithRedis("on workers through the queue", () => {
    const queueName = uniqueQueueName("run-runner");
    let queue: AgentQueue;
    let worker: AgentWorker;

    beforeAll(async () => {
      queue = await openAgentQueue({ connection: { url: REDIS_URL }, queueName, pollMs: 100 });
      const model = createModelClient({ apiKey: "sk-worker", baseURL: api.url, prices: PRICES, maxRetries: 0, log });
      worker = await startAgentWorker({
        connection: { url: REDIS_URL },
        queueName,
        concurrency: 2,
        createRunner: createRunnerFactory({ model, dataDir: `${work}/worker`, env: testGitEnv(), log }),
      });
    });

    afterAll(async () => {
      await worker?.stop(0);
      await queue?.close();
      await deleteQueueKeys(queueName);
    });

    it("runs the agent on a worker and brings its change into the run's clone as a local branch", async () => {
      const runner = createRunRunner({ placement: { kind: "queue", queue, perInstallation: 2 }, run, open, dataDir: `${work}/owner`, gitEnv: testGitEnv(), log })(deps(run.id));

      const result = await runner.run(noteRequest(run.id, 1, "gamma"));

      const change = result.change as ChangeRef;
      expect(result.output).toBe("gamma");
      expect(change.branch).toMatch(new RegExp(`^dynflow/${run.id}-work/`));
      // The worker pushed it; the run's clone has it under the same name, ready to merge and to be pushed with the others.
      expect(await git(origin, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);
      expect(await owner.resolveCommit(`refs/heads/${change.branch}`)).toBe(change.commit);
      expect((await owner.readFile(change.commit, "notes/gamma.md")).toString()).toBe("# gamma\n");
      // The model was called by the worker, not by the run's owner.
      const last = api.requests.at(-1)!;
      expect(last.headers["x-api-key"] ?? last.headers.authorization).toMatch(/sk-worker/);
    });

    it.skipIf(skipSandbox)("sends the run's commands with its agents: the worker's agent runs them on the worker's own clone", async () => {
      const config = { ...EMPTY_COMMANDS_CONFIG, commands: { show: "cat README.md" } };
      const prepared = await prepareCommands({ config, repository: owner, baseCommit: base, log });
      api.handle((recorded) => {
        const results = JSON.stringify(recorded.body.messages.slice(1));
        if (recorded.body.messages.length > 1) return reply.toolUse("finish", { summary: "ran show", result: results.includes("# notes") ? "saw the readme" : results });
        return reply.toolUse("run_command", { name: "show" });
      });
      try {
        // A run of its own: the worker keeps one runner per run, built from the run's first job.
        const commandRun = { ...run, id: "r-runner-commands" };
        const runner = createRunRunner({ placement: { kind: "queue", queue, perInstallation: 2 }, run: commandRun, open, dataDir: `${work}/owner`, gitEnv: testGitEnv(), log })({
          ...deps(commandRun.id),
          commands: prepared.commands!,
        });

        const result = await runner.run({ ...request(commandRun.id, 1), label: "show", prompt: "Show the readme." });

        expect(result.output).toBe("saw the readme");
      } finally {
        api.handle(writeNote);
        await prepared.close();
      }
    });
  });
});
