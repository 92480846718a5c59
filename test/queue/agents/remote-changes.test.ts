/**
 * Worker branches between machines with a remote repository: each "machine"
 * (a runner factory with its own data directory) keeps its own blobless
 * clone; a worker's change is pushed to the remote, a refuter elsewhere and
 * the owner fetch it from there. The remote is a local bare repository
 * reached over file://, real git throughout.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { createModelClient } from "../../../src/agents/model/index.js";
import { createBatchModelClient } from "../../../src/agents/model/batch/index.js";
import { createRunnerFactory } from "../../../src/queue/agents/create-runner-factory.js";
import { cloneDir } from "../../../src/workspace/clone-dir.js";
import { fetchChange } from "../../../src/queue/agents/share-changes.js";
import type { QueuedRunContext, RunnerHandle } from "../../../src/queue/agents/types.js";
import type { ChangeRef } from "../../../src/runtime/types.js";
import { openRepository, syncClone } from "../../../src/workspace/index.js";
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

  const context = (): QueuedRunContext => ({
    runId: "remote1",
    installationId: null,
    repository: { kind: "remote", cloneUrl: `file://${origin}` },
    baseCommit: base,
    task: "Make the answer right.",
    models: { worker: TEST_MODEL, refuter: TEST_MODEL, resolver: TEST_MODEL },
    author: { name: "dynflow[bot]", email: "dynflow@example.com" },
  });

  it("pushes a worker's change, lets a refuter on another machine review it, and lets the owner fetch it", async () => {
    api.handle((recorded) => {
      const messages: { role: string }[] = recorded.body.messages;
      const turn = 1 + messages.filter((m) => m.role === "assistant").length;
      const isRefuter = JSON.stringify(recorded.body.system).includes("You are a refuter agent");
      if (isRefuter) return reply.toolUse("finish", { summary: "checked the diff", result: "upheld" });
      return turn === 1
        ? reply.toolUse("write_file", { path: "src/app.ts", content: "export const answer = 42;\n" })
        : reply.toolUse("finish", { summary: "fixed the answer", result: "done" });
    });
    const onA = await machine("a")(context());
    const onB = await machine("b")(context());
    handles.push(onA, onB);

    const worked = await onA.runner.run(request("remote1", 1));
    const change = worked.change as ChangeRef;
    expect(change).toMatchObject({ base, files: [{ path: "src/app.ts", status: "modified" }] });
    // On the remote, under the same branch.
    expect(await git(origin, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);
    // Machine B does not have the branch until a refuter there needs it.
    const bClone = cloneDir(`${work}/b`, `file://${origin}`);
    expect(await git(bClone, "for-each-ref", `refs/remotes/origin/${change.branch}`)).toBe("");

    const refuted = await onB.runner.run({
      ...request("remote1", 2),
      options: { role: "refuter", subject: { change: change as never, claim: "the answer is now 42" } },
    });
    expect(refuted.output).toBe("upheld");
    const refuterPrompt = JSON.stringify(api.requests.at(-1)!.body.messages[0]);
    expect(refuterPrompt).toContain("+export const answer = 42;");
    expect(await git(bClone, "rev-parse", `refs/remotes/origin/${change.branch}`)).toBe(change.commit);

    // The owner's own clone fetches the branch when the result arrives.
    const ownerDir = `${work}/owner.git`;
    await syncClone({ cloneUrl: `file://${origin}`, dir: ownerDir, ref: base, env: testGitEnv() });
    const owner = await openRepository(ownerDir, { env: testGitEnv() });
    try {
      await fetchChange(change, owner, { dir: ownerDir, cloneUrl: `file://${origin}`, token: async () => undefined, env: testGitEnv() });
      expect((await owner.readFile(change.commit, "src/app.ts")).toString()).toBe("export const answer = 42;\n");
      expect(await show(ownerDir, change.commit, "src/app.ts")).toBe("export const answer = 42;\n");
    } finally {
      await owner.close();
    }
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
