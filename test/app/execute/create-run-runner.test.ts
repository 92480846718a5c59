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
import { createRunRunner, restoreCarriedChanges } from "../../../src/app/execute/create-run-runner.js";
import type { RunRepository } from "../../../src/app/services/open-run-repository.js";
import { EMPTY_COMMANDS_CONFIG } from "../../../src/command-sandbox/index.js";
import { prepareCommands } from "../../../src/run/prepare-commands.js";
import { VERDICT_SCHEMA } from "../../../src/review/verdict-schema.js";
import { skipSandbox } from "../../command-sandbox/sandbox-harness.js";
import { createProcessCaps } from "../../../src/queue/agents/create-capped-runner.js";
import { createRunnerFactory } from "../../../src/queue/agents/create-runner-factory.js";
import { agentJobId } from "../../../src/queue/agents/agent-job.js";
import { openAgentQueue, type AgentQueue } from "../../../src/queue/agents/open-agent-queue.js";
import { startAgentWorker, type AgentWorker } from "../../../src/queue/agents/start-agent-worker.js";
import { AgentFailedError } from "../../../src/runtime/errors.js";
import { ZERO_USAGE, type ChangeRef } from "../../../src/runtime/types.js";
import { openStore, type Store } from "../../../src/store/index.js";
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
  const run = { id: "r-runner", installationId: 77, owner: "acme", repo: "notes", createdAt: 1_700_000_000_000 };
  let owner: GitRepository;
  let open: RunRepository;
  let store: Store;

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
    store = await openStore({ sqlitePath: `${work}/dynflow.db`, clock: { now: () => Date.now() } });
  });

  afterAll(async () => {
    await owner?.close();
    await store?.close();
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
    const first = createRunRunner({ placement, run, open, dataDir: `${work}/owner`, changes: store.changeObjects, log })(deps("r-capped-a"));
    const second = createRunRunner({ placement, run: { ...run, id: "r-capped-b" }, open, dataDir: `${work}/owner`, changes: store.changeObjects, log })(deps("r-capped-b"));
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

    function startWorker(dataDir: string): Promise<AgentWorker> {
      const model = createModelClient({ apiKey: "sk-worker", baseURL: api.url, prices: PRICES, maxRetries: 0, log });
      return startAgentWorker({ connection: { url: REDIS_URL }, queueName, concurrency: 2, createRunner: createRunnerFactory({ model, dataDir, env: testGitEnv(), log }) });
    }

    beforeAll(async () => {
      queue = await openAgentQueue({ connection: { url: REDIS_URL }, queueName, pollMs: 100 });
      worker = await startWorker(`${work}/worker`);
    });

    afterAll(async () => {
      await worker?.stop(0);
      await queue?.close();
      await deleteQueueKeys(queueName);
    });

    it("runs the agent on a worker and brings its change into the run's clone as a local branch, as data", async () => {
      const runner = createRunRunner({ placement: { kind: "queue", queue, perInstallation: 2 }, run, open, dataDir: `${work}/owner`, gitEnv: testGitEnv(), changes: store.changeObjects, log })(deps(run.id));

      const result = await runner.run(noteRequest(run.id, 1, "gamma"));

      const change = result.change as ChangeRef;
      expect(result.output).toBe("gamma");
      expect(change.branch).toMatch(new RegExp(`^dynflow/${run.id}-work/`));
      // It came in the job's outcome, not through the remote; the run's clone has it under the same name, ready to merge and to be pushed with the others.
      expect(await git(origin, "for-each-ref", `refs/heads/${change.branch}`)).toBe("");
      expect(await owner.resolveCommit(`refs/heads/${change.branch}`)).toBe(change.commit);
      expect((await owner.readFile(change.commit, "notes/gamma.md")).toString()).toBe("# gamma\n");
      // The model was called by the worker, not by the run's owner.
      const last = api.requests.at(-1)!;
      expect(last.headers["x-api-key"] ?? last.headers.authorization).toMatch(/sk-worker/);
    });

    it("keeps a change that came as data in the store until pushed, so a process taking the run over writes it into its own clone", async () => {
      const takenRun = { ...run, id: "r-runner-taken" };
      const runner = createRunRunner({ placement: { kind: "queue", queue, perInstallation: 2 }, run: takenRun, open, gitEnv: testGitEnv(), changes: store.changeObjects, log })(deps(takenRun.id));
      const change = (await runner.run(noteRequest(takenRun.id, 1, "epsilon"))).change as ChangeRef;
      expect((await store.changeObjects.list(takenRun.id)).map((kept) => [kept.branch, kept.change.commit])).toEqual([[change.branch, change.commit]]);

      // Another process, with a clone of its own synced from the remote, which never had the change.
      const dir = cloneDirOf(`${work}/owner-2`, takenRun);
      await syncClone({ cloneUrl: `file://${origin}`, dir, ref: base, env: testGitEnv() });
      const second = await openRepository(dir, { env: testGitEnv() });
      try {
        const secondOpen = { ...open, repository: second };
        expect(await git(dir, "for-each-ref", `refs/heads/${change.branch}`)).toBe("");
        const restore = () => restoreCarriedChanges({ placement: { kind: "queue", queue, perInstallation: 2 }, open: secondOpen, gitEnv: testGitEnv(), changes: store.changeObjects, runId: takenRun.id, baseCommit: base, log });
        expect(await restore()).toBe(1);
        expect(await git(dir, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);
        expect((await second.readFile(change.commit, "notes/epsilon.md")).toString()).toBe("# epsilon\n");
        // Done once: a second start of the run finds it in place.
        expect(await restore()).toBe(0);
      } finally {
        await second.close();
      }
      await store.changeObjects.forget(takenRun.id);
      expect(await store.changeObjects.list(takenRun.id)).toEqual([]);
    });

    it("fails an agent whose change came as data but not whole, counting its spend, and keeps nothing of it", async () => {
      const damagedRun = { ...run, id: "r-runner-damaged" };
      const name = uniqueQueueName("run-runner-damaged");
      const damagedQueue = await openAgentQueue({ connection: { url: REDIS_URL }, queueName: name, pollMs: 100 });
      const spent = { ...ZERO_USAGE, input: 10, output: 5 };
      const commit = "a".repeat(40);
      // A worker whose outcome names a change and sends none of its objects.
      const damaged = await startAgentWorker({
        connection: { url: REDIS_URL },
        queueName: name,
        concurrency: 1,
        createRunner: async () => ({
          runner: { run: async () => ({ output: "done", usage: spent, costUsd: 0.5, change: { branch: `dynflow/${damagedRun.id}-work/zeta`, commit, base, files: [], additions: 0, deletions: 0, incomplete: false }, meta: {} }) },
          changes: { receiveSubject: async () => {}, send: async (outcome) => ({ ...outcome, carried: { commit, objects: [] } }) },
          close: async () => {},
        }),
      });
      try {
        const runner = createRunRunner({ placement: { kind: "queue", queue: damagedQueue, perInstallation: null }, run: damagedRun, open, gitEnv: testGitEnv(), changes: store.changeObjects, log })(deps(damagedRun.id));
        const error = await runner.run(noteRequest(damagedRun.id, 1, "zeta")).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(AgentFailedError);
        expect(error).toMatchObject({ usage: spent, costUsd: 0.5 });
        expect((error as Error).message).toMatch(/could not be brought into the run's clone: .*not whole: its commit did not come with it/);
        expect(await store.changeObjects.list(damagedRun.id)).toEqual([]);
        expect(await git(owner.gitDir, "for-each-ref", `refs/heads/dynflow/${damagedRun.id}-work/`)).toBe("");
      } finally {
        await damaged.stop(0);
        await damagedQueue.close();
        await deleteQueueKeys(name);
      }
    });

    it("leaves a change too large for data to the remote: the refuter's job carries none, and the owner reads none of its files", async () => {
      const bigRun = { ...run, id: "r-runner-big" };
      const big = `${"x".repeat(300 * 1024)}\n`;
      api.handle((recorded) => {
        if (JSON.stringify(recorded.body.system).includes("You are a refuter agent")) return reply.toolUse("finish", { summary: "read it", result: { verdict: "upheld", evidence: "looked" } });
        if (recorded.body.messages.length > 1) return reply.toolUse("finish", { summary: "wrote big", result: "big" });
        return reply.toolUse("write_file", { path: "notes/big.md", content: big });
      });
      try {
        const runner = createRunRunner({ placement: { kind: "queue", queue, perInstallation: 2 }, run: bigRun, open, gitEnv: testGitEnv(), changes: store.changeObjects, log })(deps(bigRun.id));
        const change = (await runner.run(noteRequest(bigRun.id, 1, "big"))).change as ChangeRef;
        // Pushed by its worker, fetched by the owner without its files (a blobless clone).
        expect(await git(origin, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);
        const missingHere = async () => (await git(owner.gitDir, "rev-list", "--objects", "--missing=print", change.commit, "--not", base)).split("\n").filter((line) => line.startsWith("?"));
        expect(await missingHere()).toHaveLength(1);

        await runner.run({ ...request(bigRun.id, 2), label: "check big", prompt: "Check the note.", options: { role: "refuter", schema: VERDICT_SCHEMA, subject: { change: change as never, claim: "written" } } });

        expect((await queue.queue.getJob(agentJobId(bigRun.id, "key-2", 1)))?.data.subject).toBeUndefined();
        // Reading it out as data would have fetched its file, one request per file.
        expect(await missingHere()).toHaveLength(1);
      } finally {
        api.handle(writeNote);
      }
    });

    it("sends a refuter's subject change in its job: the worker reviews a change the remote never had", async () => {
      const reviewRun = { ...run, id: "r-runner-review" };
      const runner = createRunRunner({ placement: { kind: "queue", queue, perInstallation: 2 }, run: reviewRun, open, dataDir: `${work}/owner`, gitEnv: testGitEnv(), changes: store.changeObjects, log })(deps(reviewRun.id));
      const change = (await runner.run(noteRequest(reviewRun.id, 1, "delta"))).change as ChangeRef;
      expect(await git(origin, "for-each-ref", `refs/heads/${change.branch}`)).toBe("");
      // The refuter runs on another worker, with a clone of its own that never saw the change.
      await worker.stop(0);
      worker = await startWorker(`${work}/worker-2`);
      api.handle((recorded) => {
        const saw = JSON.stringify(recorded.body.messages[0]).includes("+# delta");
        return reply.toolUse("finish", { summary: "read it", result: { verdict: "upheld", evidence: saw ? "the diff adds # delta" : "no diff shown" } });
      });
      try {
        const refuted = await runner.run({
          ...request(reviewRun.id, 2),
          label: "check delta",
          prompt: "Check the note.",
          options: { role: "refuter", schema: VERDICT_SCHEMA, subject: { change: change as never, claim: "the note is written" } },
        });
        // The refuter read the change's diff on the worker, which could only have had it from the job.
        expect(JSON.stringify(refuted.output)).toContain("the diff adds # delta");
        expect(await git(origin, "for-each-ref", `refs/heads/${change.branch}`)).toBe("");
      } finally {
        api.handle(writeNote);
      }
    });

    it("sends a continuing worker's start change in its job: the next round, on another worker, starts from a change the remote never had", async () => {
      const roundsRun = { ...run, id: "r-runner-rounds" };
      const runner = createRunRunner({ placement: { kind: "queue", queue, perInstallation: 2 }, run: roundsRun, open, dataDir: `${work}/owner`, gitEnv: testGitEnv(), changes: store.changeObjects, log })(deps(roundsRun.id));
      const first = (await runner.run(noteRequest(roundsRun.id, 1, "eta"))).change as ChangeRef;
      await worker.stop(0);
      worker = await startWorker(`${work}/worker-3`);
      try {
        const next = await runner.run({ ...noteRequest(roundsRun.id, 2, "theta"), label: "eta · round 2", options: { subject: { change: first as never } } });
        const change = next.change as ChangeRef;
        const opening = api.requests.filter((r) => r.body.messages.length === 1 && JSON.stringify(r.body.messages[0]).includes("Write the note theta"));
        expect(JSON.stringify(opening[0]?.body.messages[0])).toContain("+# eta");
        expect(change.files.map((f) => f.path)).toEqual(["notes/eta.md", "notes/theta.md"]);
        // The change came back to the owner as data: its clone has both notes, the remote has neither branch.
        expect(await git(owner.gitDir, "show", `${change.commit}:notes/eta.md`)).toBe("# eta");
        expect(await git(owner.gitDir, "rev-parse", `${change.commit}^`)).toBe(base);
        expect(await git(origin, "for-each-ref", `refs/heads/${first.branch}`, `refs/heads/${change.branch}`)).toBe("");
      } finally {
        api.handle(writeNote);
      }
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
        const runner = createRunRunner({ placement: { kind: "queue", queue, perInstallation: 2 }, run: commandRun, open, dataDir: `${work}/owner`, gitEnv: testGitEnv(), changes: store.changeObjects, log })({
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
