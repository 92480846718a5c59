/**
 * Run steps that waited in Redis, and commands that arrive while Redis is
 * down, under a Redis restart without persistence (web + 2 workers on
 * PostgreSQL and a redis-server of the test's own):
 * - runs whose `plan` job no worker had taken yet (the workers are paused
 *   with SIGSTOP, so the jobs wait) are lost with Redis; the web process
 *   queues them again once Redis is back, without any process restarting
 *   and without `/dynflow resume`, and each run finishes once;
 * - a command delivered while Redis is down is answered with its run
 *   recorded and its delivery done before Redis is back (a redelivery is not
 *   needed and is ignored); the run is queued once Redis is back and
 *   finishes once.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { reply, startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../fakes/fake-github-server.js";
import { describeWithRedis } from "../queue/redis-harness.js";
import { removeDir, tempDir } from "../workspace/git-fixture.js";
import { commentPayload, deliverWebhook, makeRemote, until } from "../durability/app-processes.js";
import { startDeployment, type Deployment } from "../durability/deployment.js";
import { describeWithPostgres } from "../durability/postgres-harness.js";
import { redisServerInstalled, startOwnRedis, type OwnRedis } from "./own-redis.js";

const WORKFLOW = `export const meta = { name: "tag", description: "Tag the module" };
const result = await converge("Tag m0 in " + args.round, { label: "m0", write: ["src/m0/**"] });
return result.status;
`;
const FILES: Record<string, string> = {
  ".claude/workflows/tag.js": WORKFLOW,
  ".github/dynflow.yml": `approval: never\nrefuters: 1\nmodules:\n  - name: m0\n    globs: ["src/m0/**"]\n`,
  "src/m0/index.ts": `export const name = "m0";\n`,
};
const QUEUED_BEFORE = [1, 2, 3];
const WHILE_DOWN = 4;
const FINAL = ["ok", "error", "cancelled", "capped", "budget-exhausted"];

const describeIfRedisServer = redisServerInstalled() ? describeWithRedis : (name: string) => it.skip(`${name}: needs redis-server installed`, () => {});

describeIfRedisServer("run steps and commands across a Redis restart without persistence", () => {
  describeWithPostgres("web + 2 workers", () => {
    let work: string;
    let redis: OwnRedis;
    let github: FakeGitHubServer;
    let model: FakeAnthropic;
    let deployment: Deployment | undefined;
    let paused = false;

    const setPaused = (on: boolean) => {
      for (const worker of deployment?.workers ?? []) worker.child.kill(on ? "SIGSTOP" : "SIGCONT");
      paused = on;
    };

    beforeAll(async () => {
      work = await tempDir("dynflow-redis-queued-");
      redis = await startOwnRedis();
      github = await startFakeGitHubServer();
      github.addRepository({ owner: "acme", repo: "modules", installationId: 89, bareDir: await makeRemote(work, "modules", FILES) });
      model = await startFakeAnthropic({ prefixDelayMs: 5 });
      model.handle((request) => {
        if (JSON.stringify(request.body.system ?? "").includes("You are a refuter agent")) return reply.toolUse("finish", { summary: "read the diff", result: { verdict: "upheld", evidence: "only src/m0 changed" } });
        if (request.body.messages.length > 1) return reply.toolUse("finish", { summary: "tagged m0", result: "tagged m0" });
        return reply.toolUse("write_file", { path: "src/m0/index.ts", content: `// tagged\nexport const name = "m0";\n` });
      });
      deployment = await startDeployment({ shape: "scaled", github, model, work, workers: 2, redisUrl: redis.url, env: { LOG_LEVEL: "info" } });
    }, 120_000);

    afterAll(async () => {
      if (paused) setPaused(false);
      await deployment?.close();
      await redis?.close();
      await model?.close();
      await github?.close();
      await removeDir(work);
    }, 120_000);

    it("queues lost steps again once Redis is back, and keeps a command that came while it was down", async () => {
      const d = deployment!;
      const command = (n: number) =>
        deliverWebhook(d.port, {
          id: `redis-queued-${n}`,
          name: "issue_comment",
          payload: commentPayload({ owner: "acme", repo: "modules", installationId: 89, issue: n, commentId: 9400 + n, body: `/dynflow run tag {"round": "r${n}"}` }),
        });
      const runOf = (n: number) => d.store.runs.findByCommandComment(9400 + n);

      // No worker takes a job: the plan steps wait in Redis.
      setPaused(true);
      for (const n of QUEUED_BEFORE) expect(await command(n)).toBe(200);
      for (const n of QUEUED_BEFORE) expect((await runOf(n))?.status).toBe("queued");

      await redis.kill();
      await untilHealth(d.port, 503);

      // A command while Redis is down: answered (200; 202 only if a loaded machine took Probot past its
      // cut-off), its run recorded and its delivery done while Redis is still down: the command is kept.
      expect([200, 202]).toContain(await command(WHILE_DOWN));
      await until(
        async () => (await d.store.deliveries.claim(`redis-queued-${WHILE_DOWN}`, "issue_comment", "test-probe", 1_000)).state === "done",
        "the delivery that came while Redis was down to be done",
        60_000,
        250,
      );
      expect((await runOf(WHILE_DOWN))?.status).toBe("queued");

      await redis.start();
      await untilHealth(d.port, 200);
      setPaused(false);

      const all = [...QUEUED_BEFORE, WHILE_DOWN];
      await until(
        async () => {
          for (const n of all) if (!FINAL.includes((await runOf(n))?.status ?? "")) return false;
          return true;
        },
        "every run to end (lost steps queued again by the web process)",
        240_000,
        250,
      );
      for (const n of all) {
        const run = (await runOf(n))!;
        expect(run.status, `run of command ${n}`).toBe("ok");
        const events = (await d.store.events.list(run.id)).map((stored) => stored.event.type);
        expect(events.filter((type) => type === "run.started"), `starts of run ${n}`).toHaveLength(1);
        expect(events.filter((type) => type === "run.finished"), `ends of run ${n}`).toHaveLength(1);
        expect(github.pulls.filter((pull) => pull.head === `dynflow/${run.id}`), `pull requests of run ${n}`).toHaveLength(1);
      }
      expect(d.web.stderr()).toContain("run queue connection back");
      // A redelivery of the command that came while Redis was down starts nothing more.
      expect(await command(WHILE_DOWN)).toBe(200);
      expect(github.pulls).toHaveLength(all.length);
    }, 360_000);
  });
});

async function untilHealth(port: number, code: number): Promise<void> {
  await until(
    async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === code,
    `/healthz to answer ${code}`,
    60_000,
    200,
  );
}
