/**
 * A run's pull request closed on the scaled-out deployment: the web process
 * receives the webhook and only records and enqueues; a `dynflow worker`
 * takes the `closed` step from Redis and deletes the worker branches, which
 * that worker pushed while it ran the run's agents.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../../fakes/fake-github-server.js";
import { until } from "../../durability/app-processes.js";
import { startDeployment, type Deployment } from "../../durability/deployment.js";
import { describeWithPostgres } from "../../durability/postgres-harness.js";
import { describeWithRedis } from "../../queue/redis-harness.js";
import { removeDir, tempDir } from "../../workspace/git-fixture.js";
import { addCiRepository, handleModel, startRun, waitFor } from "../ci/ci-flow.js";
import { dynflowBranches, pullRequestClosed } from "./closed-flow.js";

describeWithRedis("a run's pull request closed on the scaled-out deployment", () => {
  describeWithPostgres("web + a worker on PostgreSQL and Redis", () => {
    let work: string;
    let github: FakeGitHubServer;
    let model: FakeAnthropic;
    let deployment: Deployment | undefined;
    let bare: string;

    beforeAll(async () => {
      work = await tempDir("dynflow-closed-scaled-");
      github = await startFakeGitHubServer();
      model = await startFakeAnthropic({ prefixDelayMs: 1 });
      handleModel(model);
      bare = await addCiRepository(github, work, "waiting", "  repairRounds: 1\n");
      deployment = await startDeployment({ shape: "scaled", github, model, work, workers: 1 });
    }, 240_000);

    afterAll(async () => {
      await deployment?.close();
      await model?.close();
      await github?.close();
      await removeDir(work);
    });

    it("ends the CI wait and deletes the worker branches in a worker's closed step", { timeout: 240_000 }, async () => {
      const { store, port } = deployment!;
      const runId = await startRun(port, store, "waiting");
      await waitFor(store, runId, "the CI wait", () => true);
      expect((await dynflowBranches(bare)).some((branch) => branch.startsWith(`dynflow/${runId}-work/`))).toBe(true);
      const number = (await store.runs.get(runId))!.prNumber!;

      expect(await pullRequestClosed(port, "waiting", { number, head: `dynflow/${runId}`, delivery: "closed-scaled-1" })).toBe(200);
      expect(await waitFor(store, runId, "the wait cancelled", (w) => w.state !== "waiting")).toMatchObject({ state: "cancelled" });
      await until(async () => (await store.branchCleanups.pending(runId)) === undefined, "the cleanup done", 60_000, 100);
      expect(await dynflowBranches(bare)).toEqual([`dynflow/${runId}`]);
      await until(() => github.pulls.find((pull) => pull.number === number)!.body.includes("the pull request was closed."), "the CI section updated", 60_000, 100);
    });
  });
});
