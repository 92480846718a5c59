/**
 * A Redis restart without persistence under the scaled-out deployment (web +
 * 2 workers on PostgreSQL and a redis-server of the test's own), with
 * GitHub's limits as in production. While agents are in flight, Redis is
 * killed and started again, empty:
 * - `/healthz` says Redis is down while it is (503, naming the part), and ok again after;
 * - the deployment-wide agent cap is back in Redis without restarting any process,
 *   and holds for the agents of a command that arrives after the restart;
 * - a webhook after the restart is answered 200 (no `ERR SETTINGS_KEY_NOT_FOUND`);
 * - agents whose jobs vanished go back to the queue: no agent fails, the run finishes.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { reply, startFakeAnthropic, type FakeAnthropic, type RecordedRequest } from "../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../fakes/fake-github-server.js";
import { describeWithRedis } from "../queue/redis-harness.js";
import { removeDir, tempDir } from "../workspace/git-fixture.js";
import { commentPayload, deliverWebhook, makeRemote, until } from "../durability/app-processes.js";
import { startDeployment, type Deployment } from "../durability/deployment.js";
import { describeWithPostgres } from "../durability/postgres-harness.js";
import { redisServerInstalled, startOwnRedis, type OwnRedis } from "./own-redis.js";

const MODULES = ["m0", "m1", "m2", "m3"];
const CAP = 2;

const WORKFLOW = `export const meta = { name: "tag", description: "Tag every module" };
const modules = await repo.modules();
const results = await parallel(modules.map((m) => () => converge("Tag " + m.name + " in " + args.round, { label: m.name, write: m.globs })));
return results.map((r) => r.status);
`;
const FILES: Record<string, string> = {
  ".claude/workflows/tag.js": WORKFLOW,
  ".github/dynflow.yml": `approval: never\nrefuters: 1\nmodules:\n${MODULES.map((m) => `  - name: ${m}\n    globs: ["src/${m}/**"]\n`).join("")}`,
  ...Object.fromEntries(MODULES.map((m) => [`src/${m}/index.ts`, `export const name = "${m}";\n`])),
};

const describeIfRedisServer = redisServerInstalled() ? describeWithRedis : (name: string) => it.skip(`${name}: needs redis-server installed`, () => {});

describeIfRedisServer("a Redis restart without persistence", () => {
  describeWithPostgres("web + 2 workers", () => {
    let work: string;
    let redis: OwnRedis;
    let github: FakeGitHubServer;
    let model: FakeAnthropic;
    let deployment: Deployment | undefined;
    /** Most model calls in flight seen by calls of the second command (after the restart). */
    let afterRestartMax = 0;

    beforeAll(async () => {
      work = await tempDir("dynflow-redis-restart-");
      redis = await startOwnRedis();
      github = await startFakeGitHubServer();
      github.addRepository({ owner: "acme", repo: "modules", installationId: 88, bareDir: await makeRemote(work, "modules", FILES) });
      model = await startFakeAnthropic({ prefixDelayMs: 5 });
      model.handle((request, ctx) => {
        const first = JSON.stringify(request.body.messages[0] ?? "");
        if (first.includes("in after")) afterRestartMax = Math.max(afterRestartMax, ctx.inFlight);
        const module = /Tag (m\d) in/.exec(first)?.[1] ?? /src\/(m\d)\//.exec(first)?.[1] ?? "m0";
        if (isRefuter(request)) return reply.toolUse("finish", { summary: "read the diff", result: { verdict: "upheld", evidence: `only src/${module} changed` } });
        if (request.body.messages.length > 1) return reply.toolUse("finish", { summary: `tagged ${module}`, result: `tagged ${module}` });
        // Slow first turns: agents are in flight when Redis goes, and overlap enough for the cap to matter.
        return reply.toolUse("write_file", { path: `src/${module}/index.ts`, content: `// tagged\nexport const name = "${module}";\n` }, { delayMs: 1500 });
      });
      deployment = await startDeployment({
        shape: "scaled",
        github,
        model,
        work,
        workers: 2,
        workerConcurrency: 4,
        redisUrl: redis.url,
        env: { TEST_PRODUCTION_OCTOKIT: "1", DYNFLOW_MAX_CONCURRENCY: String(CAP), LOG_LEVEL: "warn" },
      });
    }, 120_000);

    afterAll(async () => {
      await deployment?.close();
      await redis?.close();
      await model?.close();
      await github?.close();
      await removeDir(work);
    }, 120_000);

    it("keeps taking webhooks, puts the cap back, re-queues vanished agents, and says what is down meanwhile", async () => {
      const d = deployment!;
      const command = (n: number, round: string) =>
        deliverWebhook(d.port, {
          id: `redis-restart-${n}`,
          name: "issue_comment",
          payload: commentPayload({ owner: "acme", repo: "modules", installationId: 88, issue: n, commentId: 9300 + n, body: `/dynflow run tag {"round": "${round}"}` }),
        });
      expect(await command(1, "before")).toBe(200);
      await until(() => model.inFlight > 0, "agents in flight", 120_000, 50);

      await redis.kill();
      const down = await untilHealth(d.port, (status) => status.code === 503);
      expect(down.body).toMatchObject({ status: "unavailable", store: "ok", redis: "down" });
      await redis.start();
      const up = await untilHealth(d.port, (status) => status.code === 200);
      expect(up.body).toMatchObject({ status: "ok", store: "ok", redis: "ok" });

      // The cap is back in Redis without a process restart (BullMQ reads it from the agents queue's meta hash).
      const client = new Redis(redis.url);
      try {
        await until(async () => (await client.hget(`bull:${agentQueueOf(d)}:meta`, "concurrency")) === String(CAP), "the agent cap back in Redis", 60_000, 100);
      } finally {
        client.disconnect();
      }

      expect(await command(2, "after")).toBe(200);
      await until(async () => (await d.store.runs.listByStatus(["queued", "running"])).length === 0 && (await d.store.runs.findByCommandComment(9302)) !== undefined, "both runs to end", 200_000, 200);

      for (const commentId of [9301, 9302]) {
        const run = (await d.store.runs.findByCommandComment(commentId))!;
        expect(run.status).toBe("ok");
        const failed = (await d.store.events.list(run.id)).filter((stored) => stored.event.type === "agent.failed");
        expect(failed.map((stored) => stored.event)).toEqual([]);
      }
      expect(afterRestartMax).toBeGreaterThan(0);
      expect(afterRestartMax).toBeLessThanOrEqual(CAP);
    }, 360_000);
  });
});

function isRefuter(request: RecordedRequest): boolean {
  return JSON.stringify(request.body.system ?? "").includes("You are a refuter agent");
}

/** The agents queue's name, as `startDeployment` gave it to every process. */
function agentQueueOf(d: Deployment): string {
  if (d.agentQueue === null) throw new Error("the scaled shape has an agents queue");
  return d.agentQueue;
}

async function untilHealth(port: number, done: (status: { code: number }) => boolean): Promise<{ code: number; body: unknown }> {
  let last: { code: number; body: unknown } = { code: 0, body: null };
  await until(
    async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      if (response === null) return false;
      last = { code: response.status, body: (await response.json()) as unknown };
      return done(last);
    },
    "/healthz to change",
    60_000,
    200,
  );
  return last;
}
