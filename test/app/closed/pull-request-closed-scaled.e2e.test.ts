/**
 * A run's pull request closed on the scaled-out deployment: the web process
 * receives the webhook and only records and enqueues; a `dynflow worker`
 * takes the `closed` step from Redis and deletes the worker branches, which
 * that worker pushed while it ran the run's agents.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { until } from "../../durability/app-processes.js";
import { describeWithPostgres } from "../../durability/postgres-harness.js";
import { describeWithRedis } from "../../queue/redis-harness.js";
import { startCiApp, type CiApp } from "../ci/ci-app.js";
import { startRun, waitFor } from "../ci/ci-flow.js";
import { dynflowBranches, pullRequestClosed } from "./closed-flow.js";

describeWithRedis("a run's pull request closed on the scaled-out deployment", () => {
  describeWithPostgres("web + a worker on PostgreSQL and Redis", () => {
    let app: CiApp | undefined;
    let bare: string;

    beforeAll(async () => {
      app = await startCiApp({ prefix: "dynflow-closed-scaled-", shape: "scaled", workers: 1, repositories: [["waiting", "  repairRounds: 1\n"]] });
      bare = app.bares.get("waiting")!;
    }, 240_000);

    afterAll(async () => {
      await app?.close();
    });

    it("ends the CI wait and deletes the worker branches in a worker's closed step", { timeout: 240_000 }, async () => {
      const { store, port, github } = app!;
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
