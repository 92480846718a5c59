/**
 * Worker branches between machines with a remote repository: each "machine"
 * (a runner factory with its own data directory) keeps its own blobless
 * clone; a worker's change travels in its outcome, and from the owner in a
 * refuter's job, or (for an older owner, or a large change) is pushed to the
 * remote, and a refuter elsewhere and the owner fetch it from there. The
 * remote is a local bare repository reached over file://, real git throughout.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { createModelClient } from "../../../src/agents/model/index.js";
import { createBatchModelClient } from "../../../src/agents/model/batch/index.js";
import { createRunnerFactory } from "../../../src/queue/agents/create-runner-factory.js";
import { cloneDir } from "../../../src/workspace/clone-dir.js";
import { finishedOutcome, toAgentJobData } from "../../../src/queue/agents/agent-job.js";
import { bringChange, type RemoteExchange } from "../../../src/queue/agents/share-changes.js";
import type { AgentJobOutcome, QueuedRunContext, RunnerHandle } from "../../../src/queue/agents/types.js";
import type { AgentRequest, ChangeRef } from "../../../src/runtime/types.js";
import { openRepository, syncClone, type CarriedChange, type GitRepository } from "../../../src/workspace/index.js";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../../fakes/fake-anthropic.js";
import { git, makeRepo, removeDir, show, tempDir, testGitEnv } from "../../workspace/git-fixture.js";
import { request } from "./queue-fixture.js";

const exec = promisify(execFile);
const TEST_MODEL = "test-model";

describe("remote repositories on several workers", () => {
  let api: FakeAnthropic;
  let work: string;
  let origin: string;
  let base: string;
  const handles: RunnerHandle[] = [];

  beforeAll(async () => {
    api = await startFakeAnthropic({ prefixDelayMs: 1 });
    const source = await makeRepo({ "src/app.ts": "export const answer = 41;\n" });
    base = source.head;
    work = await tempDir("dynflow-remote-");
    origin = `${work}/origin.git`;
    await exec("git", ["clone", "--quiet", "--bare", source.dir, origin], { env: testGitEnv() });
    await git(origin, "config", "uploadpack.allowFilter", "true");
    await git(origin, "config", "uploadpack.allowAnySHA1InWant", "true");
    await removeDir(source.dir);
  });

  afterAll(async () => {
    for (const handle of handles) await handle.close();
    await api.close();
    await removeDir(work);
  });

  function machine(name: string) {
    const model = createModelClient({ apiKey: `sk-${name}`, baseURL: api.url, prices: { [TEST_MODEL]: { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 } }, maxRetries: 0, log: pino({ level: "silent" }) });
    return createRunnerFactory({ model, dataDir: `${work}/${name}`, env: testGitEnv() });
  }

  const context = (runId = "remote1"): QueuedRunContext => ({
    runId,
    installationId: null,
    repository: { kind: "remote", cloneUrl: `file://${origin}` },
    baseCommit: base,
    task: "Make the answer right.",
    models: { worker: TEST_MODEL, refuter: TEST_MODEL, resolver: TEST_MODEL },
    author: { name: "dynflow[bot]", email: "dynflow@example.com" },
  });

  /** A job as a worker runs it (start-agent-worker.ts): the subject brought first, the change sent with the outcome. */
  async function runJob(handle: RunnerHandle, ctx: QueuedRunContext, req: AgentRequest, subject?: CarriedChange | null): Promise<AgentJobOutcome> {
    const data = toAgentJobData(req, ctx, subject);
    await handle.changes!.receiveSubject(data);
    return handle.changes!.send(finishedOutcome(await handle.runner.run(req)), ctx);
  }

  const refuterRequest = (runId: string, change: ChangeRef): AgentRequest => ({
    ...request(runId, 2),
    options: { role: "refuter", subject: { change: change as never, claim: "the answer is now 42" } },
  });

  function workersFixAndUphold(): void {
    api.handle((recorded) => {
      const messages: { role: string }[] = recorded.body.messages;
      const turn = 1 + messages.filter((m) => m.role === "assistant").length;
      const isRefuter = JSON.stringify(recorded.body.system).includes("You are a refuter agent");
      if (isRefuter) return reply.toolUse("finish", { summary: "checked the diff", result: "upheld" });
      return turn === 1
        ? reply.toolUse("write_file", { path: "src/app.ts", content: "export const answer = 42;\n" })
        : reply.toolUse("finish", { summary: "fixed the answer", result: "done" });
    });
  }

  /** The owner's clone of the remote at the base, as a run's plan step leaves it. */
  async function ownerClone(name: string): Promise<{ dir: string; repository: GitRepository; remote: RemoteExchange }> {
    const dir = `${work}/${name}.git`;
    await syncClone({ cloneUrl: `file://${origin}`, dir, ref: base, env: testGitEnv() });
    const repository = await openRepository(dir, { env: testGitEnv() });
    return { dir, repository, remote: { dir, cloneUrl: `file://${origin}`, token: async () => undefined, env: testGitEnv() } };
  }

  it("for an owner that does not take changes as data: pushes a worker's change, and a refuter elsewhere and the owner fetch it", async () => {
    workersFixAndUphold();
    const ctx = context("remote1");
    const onA = await machine("a")(ctx);
    const onB = await machine("b")(ctx);
    handles.push(onA, onB);

    const worked = await runJob(onA, ctx, request("remote1", 1));
    expect(worked.carried).toBeUndefined();
    const change = (worked.status === "finished" ? worked.result.change : null) as ChangeRef;
    expect(change).toMatchObject({ base, files: [{ path: "src/app.ts", status: "modified" }] });
    // On the remote, under the same branch.
    expect(await git(origin, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);
    // Machine B does not have the branch until a refuter there needs it.
    const bClone = cloneDir(`${work}/b`, `file://${origin}`);
    expect(await git(bClone, "for-each-ref", `refs/remotes/origin/${change.branch}`)).toBe("");

    const refuted = await runJob(onB, ctx, refuterRequest("remote1", change));
    expect(refuted).toMatchObject({ status: "finished", result: { output: "upheld" } });
    const refuterPrompt = JSON.stringify(api.requests.at(-1)!.body.messages[0]);
    expect(refuterPrompt).toContain("+export const answer = 42;");
    expect(await git(bClone, "rev-parse", `refs/remotes/origin/${change.branch}`)).toBe(change.commit);

    // The owner's own clone fetches the branch when the result arrives.
    const owner = await ownerClone("owner1");
    try {
      await bringChange(change, worked.carried, { runId: "remote1", baseCommit: base, repository: owner.repository, remote: owner.remote });
      expect((await owner.repository.readFile(change.commit, "src/app.ts")).toString()).toBe("export const answer = 42;\n");
      expect(await show(owner.dir, change.commit, "src/app.ts")).toBe("export const answer = 42;\n");
      expect(await git(owner.dir, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);
    } finally {
      await owner.repository.close();
    }
  });

  it("for an owner that takes changes as data: sends the change in the outcome and the subject in the refuter's job, and pushes nothing", async () => {
    workersFixAndUphold();
    const ctx = { ...context("remote2"), carryChanges: { maxBytes: 64 * 1024 } };
    const onA = await machine("a")(ctx);
    const onB = await machine("b")(ctx);
    handles.push(onA, onB);
    const branchesOnRemote = async () => git(origin, "for-each-ref", "--format=%(refname)", "refs/heads/dynflow/");

    const worked = await runJob(onA, ctx, request("remote2", 1));
    const change = (worked.status === "finished" ? worked.result.change : null) as ChangeRef;
    expect(worked.carried?.commit).toBe(change.commit);
    expect(await branchesOnRemote()).not.toContain("remote2");

    // The owner writes it from the outcome, with no fetch (the remote does not have it), and keeps it on its branch.
    const owner = await ownerClone("owner2");
    try {
      await bringChange(change, worked.carried, { runId: "remote2", baseCommit: base, repository: owner.repository, remote: owner.remote });
      expect(await show(owner.dir, change.commit, "src/app.ts")).toBe("export const answer = 42;\n");
      expect(await git(owner.dir, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);

      // The refuter on B gets the change in its job, from the owner's clone.
      const subject = await owner.repository.carryChange(change.commit, base, 64 * 1024);
      expect(subject?.commit).toBe(change.commit);
      const refuted = await runJob(onB, ctx, refuterRequest("remote2", change), subject);
      expect(refuted).toMatchObject({ status: "finished", result: { output: "upheld" } });
      expect(JSON.stringify(api.requests.at(-1)!.body.messages[0])).toContain("+export const answer = 42;");
      const bClone = cloneDir(`${work}/b`, `file://${origin}`);
      expect(await git(bClone, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);
      expect(await branchesOnRemote()).not.toContain("remote2");

      // A carried change that is not the subject's is refused, not fetched.
      const other = { ...change, commit: base };
      await expect(bringChange(other, worked.carried, { runId: "remote2", baseCommit: base, repository: owner.repository, remote: owner.remote })).rejects.toThrow(/came for the change/);
    } finally {
      await owner.repository.close();
    }
  });

  it("pushes a change larger than the owner takes as data, as for an older owner", async () => {
    workersFixAndUphold();
    const ctx = { ...context("remote3"), carryChanges: { maxBytes: 100 } };
    const onA = await machine("a")(ctx);
    handles.push(onA);
    const worked = await runJob(onA, ctx, request("remote3", 1));
    const change = (worked.status === "finished" ? worked.result.change : null) as ChangeRef;
    expect(worked.carried).toBeUndefined();
    expect(await git(origin, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);
  });

  it("runs the agents of a run that asked for batch pricing on the worker's batch client", async () => {
    api.handle(() => reply.toolUse("finish", { summary: "looked", result: "nothing to change" }));
    const prices = { [TEST_MODEL]: { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 } };
    const silent = pino({ level: "silent" });
    const factory = createRunnerFactory({
      model: createModelClient({ apiKey: "sk-plain", baseURL: api.url, prices, maxRetries: 0, log: silent }),
      batchModel: createBatchModelClient({ apiKey: "sk-batch", baseURL: api.url, prices, flushMs: 1, pollMs: 5, log: silent }),
      dataDir: `${work}/batch`,
      env: testGitEnv(),
    });
    // A batched request is recorded as a message request too, marked with its batch.
    const paths = () => api.requests.map((r) => (r.batch ? "(in a batch)" : r.path));
    for (const batch of [false, true]) {
      const handle = await factory({ ...context(), runId: `batch-${batch}`, batch });
      handles.push(handle);
      const before = paths().length;
      const result = await handle.runner.run(request(`batch-${batch}`, 1));
      const sent = paths().slice(before);
      if (batch) {
        expect(sent).toContain("/v1/messages/batches");
        expect(sent).toContain("(in a batch)");
        expect(sent).not.toContain("/v1/messages");
        // Half of what the same usage costs at the standard price.
        expect(result.costUsd).toBeCloseTo((result.usage.input + result.usage.output + result.usage.cacheWrite + result.usage.cacheRead) / 2e6, 9);
      } else {
        expect(sent).toEqual(["/v1/messages"]);
      }
    }
  });

  it("keeps each remote's clone under the data directory, whatever the URL", () => {
    expect(cloneDir("/data", "https://github.com/octo/hello.git")).toBe("/data/clones/github.com/octo__hello.git");
    expect(cloneDir("/data", "https://ghe.example.com:8443/a/b")).toBe("/data/clones/ghe.example.com_8443/a__b.git");
    expect(cloneDir("/data", "https://x.example/../../etc/passwd")).toMatch(/^\/data\/clones\/x\.example\/[^/]+$/);
  });
});
