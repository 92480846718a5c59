/**
 * The worker that owns a scaled-out run is killed mid-run, after some of its
 * agents finished: another worker, with a clone of its own, takes the run
 * over (the run step's job comes back once its lock lapses, and the lease of
 * a dead process on this host is taken at once). Workers' changes came to the
 * dead owner as data, never through GitHub; the run must still merge and push
 * every one of them, and pay for none twice.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { reply, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../fakes/fake-github-server.js";
import { describeWithRedis } from "../queue/redis-harness.js";
import { agentOf, countByAgent, gate } from "../reliability/once-support.js";
import { git, removeDir, tempDir } from "../workspace/git-fixture.js";
import { commentPayload, deliverWebhook, makeRemote, tagModulesFiles, until } from "./app-processes.js";
import { startDeployment, type Deployment } from "./deployment.js";
import { describeWithPostgres } from "./postgres-harness.js";

const MODULES = ["m0", "m1", "m2"];
/** The module whose worker waits until the owner is gone, so the run is mid-way when it dies. */
const LAST = "m2";

const FILES = tagModulesFiles(MODULES, 1);

describeWithRedis("a scaled-out run taken over", () => {
  describeWithPostgres("its owner killed after some agents finished", () => {
    let work: string;
    let remote: string;
    let github: FakeGitHubServer;
    let model: FakeAnthropic;
    let deployment: Deployment | undefined;
    const ownerGone = gate();

    beforeAll(async () => {
      work = await tempDir("dynflow-takeover-");
      github = await startFakeGitHubServer();
      remote = await makeRemote(work, "modules", FILES);
      github.addRepository({ owner: "acme", repo: "modules", installationId: 77, bareDir: remote });
      model = await startFakeAnthropic({ prefixDelayMs: 5 });
      model.handle(async (request) => {
        const { role, module } = agentOf(request);
        if (role === "refuter") return reply.toolUse("finish", { summary: "read the diff", result: { verdict: "upheld", evidence: `only src/${module}/index.ts changed` } });
        if (request.body.messages.length > 1) return reply.toolUse("finish", { summary: `Tagged src/${module}/index.ts.`, result: `tagged ${module}` });
        if (module === LAST) await ownerGone.opened;
        return reply.toolUse("write_file", { path: `src/${module}/index.ts`, content: `// version 2\nexport const name = "${module}";\n` });
      });
    });

    afterAll(async () => {
      ownerGone.open();
      await deployment?.close();
      await model?.close();
      await github?.close();
      await removeDir(work);
    }, 90_000);

    it("merges and pushes every change, the dead owner's received ones too, with no agent paid twice", { timeout: 180_000 }, async () => {
      deployment = await startDeployment({ shape: "scaled", github, model, work, workers: 2, env: { LOG_LEVEL: "info" } });
      const { store } = deployment;
      const payload = commentPayload({ owner: "acme", repo: "modules", installationId: 77, issue: 7, commentId: 9401, body: "/dynflow run tag-modules" });
      expect(await deliverWebhook(deployment.port, { id: "delivery-takeover-1", name: "issue_comment", payload })).toBe(200);
      await until(async () => (await store.runs.findByCommandComment(9401)) !== undefined, "the run record");
      const runId = (await store.runs.findByCommandComment(9401))!.id;

      // Every module but the last is done and reviewed: its change is journaled and kept in the store.
      const finished = MODULES.filter((m) => m !== LAST);
      await until(async () => (await store.journalEntries(runId)).length === finished.length * 2, "the first modules' agents to be journaled", 90_000);
      const kept = await store.changeObjects.list(runId);
      expect(kept.map((entry) => entry.branch).sort()).toEqual((await store.journalEntries(runId)).flatMap((entry) => (entry.change ? [entry.change.branch] : [])).sort());
      expect(await git(remote, "for-each-ref", "refs/heads/dynflow/")).toBe("");

      const lease = await store.leases.read(`run:${runId}`);
      const ownerPid = Number(/^.*:(\d+):[0-9a-f]+\/[0-9a-f]+$/.exec(lease?.holder ?? "")?.[1]);
      const owner = deployment.workers.find((worker) => worker.child.pid === ownerPid);
      expect(owner, `the run's lease names a worker: ${lease?.holder}`).toBeDefined();
      const survivor = deployment.workers.find((worker) => worker !== owner)!;
      // The changes made on the owner's machine exist nowhere else but in the store.
      const madeByOwner = finished.filter((m) => firstWorkerCall(model.requests, m) === deployment!.apiKeys[owner!.name]).length;
      expect(await owner!.stop("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
      ownerGone.open();

      await until(async () => !["queued", "running"].includes((await store.runs.get(runId))!.status), "the run to finish on the other worker", 150_000);
      const run = (await store.runs.get(runId))!;
      expect(run.status).toBe("ok");
      expect(run.result).toMatchObject({ merged: expect.arrayContaining(MODULES.map((m) => expect.stringContaining(m))) });
      expect(github.pulls).toMatchObject([{ head: `dynflow/${runId}`, repo: "acme/modules" }]);
      // Every worker branch on the remote, at the commit its agent made, pushed by the run's one push.
      const changes = (await store.journalEntries(runId)).flatMap((entry) => (entry.change ? [entry.change] : []));
      expect(changes).toHaveLength(MODULES.length);
      for (const change of changes) expect(await git(remote, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);
      for (const m of MODULES) expect(await git(remote, "show", `dynflow/${runId}:src/${m}/index.ts`)).toContain("// version 2");
      // The finished agents were replayed, not paid again; the last module's worker ran once, wherever it was.
      const counts = countByAgent(model.requests);
      for (const m of finished) expect([counts[`worker ${m}`], counts[`refuter ${m}`]]).toEqual([2, 1]);
      expect(counts[`refuter ${LAST}`]).toBe(1);
      // The survivor wrote what the dead owner had received into its own clone: the changes made on the
      // owner's machine, but for any a refuter on the survivor had already received in its job.
      const restored = Number(/"written":(\d+)[^\n]*wrote the changes an earlier owner/.exec(survivor.stderr())?.[1] ?? 0);
      expect(restored).toBeLessThanOrEqual(madeByOwner);
      expect(await store.changeObjects.list(runId)).toEqual([]);
    });
  });
});

/** The API key of the process whose agent made the first call of module `m`'s worker. */
function firstWorkerCall(requests: readonly RecordedRequest[], m: string): string | undefined {
  const request = requests.find((r) => {
    const agent = agentOf(r);
    return agent.role === "worker" && agent.module === m;
  });
  const { authorization, "x-api-key": apiKey } = request?.headers ?? {};
  return apiKey === undefined && authorization === undefined ? undefined : String(apiKey ?? authorization?.replace(/^Bearer /, ""));
}
