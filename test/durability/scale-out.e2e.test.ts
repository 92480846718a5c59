/**
 * The scaled-out deployment end to end, in real processes: a web process that
 * only receives webhooks and enqueues, and two `dynflow worker`s with the
 * App's credentials that take the run step and the agents, over PostgreSQL
 * (a fresh schema) and Redis. The web process is killed as soon as it has
 * answered the webhook: the run must still finish, on the workers, under the
 * deployment-wide cap, with one pull request and one status comment.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { reply, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../fakes/fake-github-server.js";
import { describeWithRedis } from "../queue/redis-harness.js";
import { git, removeDir, tempDir } from "../workspace/git-fixture.js";
import { commentPayload, deliverWebhook, makeRemote, tagModulesFiles, until } from "./app-processes.js";
import { startDeployment, type Deployment } from "./deployment.js";
import { describeWithPostgres } from "./postgres-harness.js";

const MODULES = ["m0", "m1", "m2", "m3", "m4", "m5"];
const GLOBAL_CAP = 3;
const COMMENT_ID = 9201;

const FILES = tagModulesFiles(MODULES, 2);

describeWithRedis("the scaled-out deployment", () => {
  describeWithPostgres("web + 2 workers on PostgreSQL and Redis", () => {
    let work: string;
    let github: FakeGitHubServer;
    let model: FakeAnthropic;
    let deployment: Deployment | undefined;
    let remote: string;

    beforeAll(async () => {
      work = await tempDir("dynflow-scale-out-");
      github = await startFakeGitHubServer();
      remote = await makeRemote(work, "modules", FILES);
      github.addRepository({ owner: "acme", repo: "modules", installationId: 77, bareDir: remote });
      model = await startFakeAnthropic({ prefixDelayMs: 5 });
      model.handle((request) => {
        const { role, module } = agentOf(request);
        if (role === "refuter") return reply.toolUse("finish", { summary: "read the diff", result: { verdict: "upheld", evidence: `only src/${module}/index.ts changed` } });
        if (request.body.messages.length > 1) return reply.toolUse("finish", { summary: `Tagged src/${module}/index.ts.`, result: `tagged ${module}` });
        // Slow enough that agents overlap and the cap is what holds them back.
        return reply.toolUse("write_file", { path: `src/${module}/index.ts`, content: `// version 2\nexport const name = "${module}";\n` }, { delayMs: 150 });
      });
    });

    afterAll(async () => {
      await deployment?.close();
      await model?.close();
      await github?.close();
      await removeDir(work);
    });

    it("finishes a run on the workers after the web process is gone, never over the global cap", { timeout: 120_000 }, async () => {
      deployment = await startDeployment({
        shape: "scaled",
        github,
        model,
        work,
        workers: 2,
        workerConcurrency: 4,
        env: { DYNFLOW_MAX_CONCURRENCY: String(GLOBAL_CAP), DYNFLOW_MAX_CONCURRENT_RUNS: "2" },
      });
      const { store } = deployment;
      const payload = commentPayload({ owner: "acme", repo: "modules", installationId: 77, issue: 7, commentId: COMMENT_ID, body: "/dynflow run tag-modules" });
      expect(await deliverWebhook(deployment.port, { id: "delivery-scale-1", name: "issue_comment", payload })).toBe(200);
      const recorded = await store.runs.findByCommandComment(COMMENT_ID);
      expect(recorded).toBeDefined();
      // The web process has recorded and queued the run; nothing of the run needs it any more.
      expect(await deployment.web.stop("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });

      await until(async () => !["queued", "running"].includes((await store.runs.get(recorded!.id))!.status), "the run to finish on the workers", 90_000);

      const run = (await store.runs.get(recorded!.id))!;
      expect(run.status).toBe("ok");
      expect(github.pulls).toMatchObject([{ head: `dynflow/${run.id}`, repo: "acme/modules" }]);
      expect(github.comments).toHaveLength(1);
      expect(github.comments[0]!.body).toContain(`dynflow run \`${run.id}\` finished`);
      // Every agent ran once, on a worker, never more than the cap at once.
      expect(Object.fromEntries(countByAgent(model.requests))).toEqual(Object.fromEntries(MODULES.flatMap((m) => [[`worker ${m}`, 2], [`refuter ${m}`, 2]])));
      const keys = new Set(model.requests.map(apiKeyOf));
      expect([...keys].every((key) => key === deployment!.apiKeys["worker 1"] || key === deployment!.apiKeys["worker 2"])).toBe(true);
      expect(model.maxInFlight).toBeLessThanOrEqual(GLOBAL_CAP);
      expect(model.maxInFlight).toBeGreaterThan(1);
      expect(await store.journalEntries(run.id)).toHaveLength(MODULES.length * 3);
      // The merge is on the pull request's branch.
      expect(run.result).toMatchObject({ merged: expect.arrayContaining(MODULES.map((m) => expect.stringContaining(m))) });
      // Each worker's change came to the run's owner as data, and reached the remote with the run's one push.
      const changes = (await store.journalEntries(run.id)).flatMap((entry) => (entry.change ? [entry.change] : []));
      expect(changes).toHaveLength(MODULES.length);
      for (const change of changes) expect(await git(remote, "rev-parse", `refs/heads/${change.branch}`)).toBe(change.commit);
      // Kept in the store only until then.
      expect(await store.changeObjects.list(run.id)).toEqual([]);
    });
  });
});

function agentOf(request: RecordedRequest): { role: "worker" | "refuter"; module: string } {
  const system = JSON.stringify(request.body.system ?? "");
  const first = JSON.stringify(request.body.messages[0] ?? "");
  const role = system.includes("You are a worker agent") ? "worker" : system.includes("You are a refuter agent") ? "refuter" : null;
  const module = /Tag (m\d) with/.exec(first)?.[1] ?? /src\/(m\d)\/index\.ts/.exec(first)?.[1];
  if (role === null || module === undefined) throw new Error(`not an agent request of this test: ${first.slice(0, 300)}`);
  return { role, module };
}

/** Which process sent a request: each has its own API key. */
function apiKeyOf(request: RecordedRequest): string {
  const { authorization, "x-api-key": apiKey } = request.headers;
  return String(apiKey ?? authorization?.replace(/^Bearer /, ""));
}

function countByAgent(requests: RecordedRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of requests) {
    const { role, module } = agentOf(request);
    counts.set(`${role} ${module}`, (counts.get(`${role} ${module}`) ?? 0) + 1);
  }
  return counts;
}
