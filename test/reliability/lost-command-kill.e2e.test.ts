/**
 * A command is never lost. Commands arrive at the web process of the
 * scaled-out deployment (PostgreSQL, Redis, a worker) and each handler is
 * held at GitHub in the middle of its work (after the delivery was seen,
 * before its run exists) when the web process is killed with SIGKILL. A new
 * web process receives every delivery again, under the same ids, as GitHub's
 * redelivery sends them: every command must end with its run, one each.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../fakes/fake-github-server.js";
import { describeWithRedis } from "../queue/redis-harness.js";
import { removeDir, tempDir } from "../workspace/git-fixture.js";
import { commentPayload, deliverWebhook, makeRemote, until } from "../durability/app-processes.js";
import { startDeployment, type Deployment } from "../durability/deployment.js";
import { describeWithPostgres } from "../durability/postgres-harness.js";
import { startHoldingProxy, type HoldingProxy } from "./holding-proxy.js";

const COMMANDS = 6;
const FILES: Record<string, string> = {
  "README.md": "# noop\n",
  ".claude/workflows/noop.js": `export const meta = { name: "noop", description: "Does nothing" };\nreturn "nothing to do";\n`,
  ".github/dynflow.yml": "approval: never\n",
};

describeWithRedis("a command is never lost", () => {
  describeWithPostgres("the web process killed while it handles commands", () => {
    let work: string;
    let github: FakeGitHubServer;
    let proxy: HoldingProxy;
    let model: FakeAnthropic;
    let deployment: Deployment | undefined;

    beforeAll(async () => {
      work = await tempDir("dynflow-lost-command-");
      github = await startFakeGitHubServer();
      github.addRepository({ owner: "acme", repo: "noop", installationId: 77, bareDir: await makeRemote(work, "noop", FILES) });
      // The permission check comes after the delivery is seen and before the run is recorded.
      proxy = await startHoldingProxy(github.host, (method, path) => method === "GET" && /\/collaborators\/[^/]+\/permission$/.test(path));
      model = await startFakeAnthropic({ prefixDelayMs: 5 });
    });

    afterAll(async () => {
      await deployment?.close();
      await proxy?.close();
      await model?.close();
      await github?.close();
      await removeDir(work);
    }, 90_000);

    it("ends every command redelivered after a SIGKILL with its run, one each", { timeout: 240_000 }, async () => {
      deployment = await startDeployment({ shape: "scaled", github, model, work, workers: 1, env: { GHE_HOST: proxy.host } });
      const { store } = deployment;
      const deliveries = Array.from({ length: COMMANDS }, (_, i) => ({
        id: `delivery-lost-${i}`,
        name: "issue_comment",
        payload: commentPayload({ owner: "acme", repo: "noop", installationId: 77, issue: 10 + i, commentId: 9400 + i, body: "/dynflow run noop" }),
      }));
      const port = deployment.port;
      // Not awaited: the handlers are held, and their connections die with the process.
      for (const delivery of deliveries) void deliverWebhook(port, delivery).catch(() => 0);
      await until(() => proxy.held === COMMANDS, "every handler to be held at GitHub", 60_000);
      expect(await store.runs.listRecent()).toEqual([]);

      await deployment.restartWeb("SIGKILL");
      proxy.release();
      const statuses = await Promise.all(deliveries.map((delivery) => deliverWebhook(deployment!.port, delivery)));
      expect(statuses.every((status) => status === 200 || status === 202)).toBe(true);

      const runsOf = async () => (await Promise.all(deliveries.map((_, i) => store.runs.findByCommandComment(9400 + i)))).filter((run) => run !== undefined);
      await until(async () => (await runsOf()).length === COMMANDS, "a run for every command", 120_000, 250).catch(() => undefined);
      expect((await runsOf()).map((run) => run.commandCommentId).sort()).toEqual(deliveries.map((_, i) => 9400 + i));
      // One run per command, however often it was delivered.
      expect(await store.runs.listRecent()).toHaveLength(COMMANDS);
    });
  });
});
