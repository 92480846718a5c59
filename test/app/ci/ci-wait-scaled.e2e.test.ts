/**
 * CI as the final judge on the scaled-out deployment: a web process that only
 * receives webhooks and enqueues, `dynflow worker`s taking run steps and
 * agents, PostgreSQL (a fresh schema) and Redis (queue names of its own).
 * The webhook about the failing commit reaches the web process; the CI step
 * and its repair round run on a worker; the deadline sweep runs in the web
 * process and the timeout is decided on a worker.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { until } from "../../durability/app-processes.js";
import { describeWithPostgres } from "../../durability/postgres-harness.js";
import { describeWithRedis } from "../../queue/redis-harness.js";
import { git } from "../../workspace/git-fixture.js";
import { startCiApp, type CiApp } from "./ci-app.js";
import { ciCompleted, FIXED, OWNER, startRun, waitFor } from "./ci-flow.js";

describeWithRedis("CI waits on the scaled-out deployment", () => {
  describeWithPostgres("web + a worker on PostgreSQL and Redis", () => {
    let app: CiApp | undefined;

    beforeAll(async () => {
      app = await startCiApp({
        prefix: "dynflow-ci-scaled-",
        shape: "scaled",
        workers: 1,
        env: { DYNFLOW_CI_SWEEP_SECONDS: "1" },
        repositories: [
          ["repair", "  repairRounds: 1\n"],
          ["slow", "  timeoutMinutes: 0.05\n"],
        ],
      });
    }, 240_000);

    afterAll(async () => {
      await app?.close();
    });

    it("repairs a failing CI on a worker and marks the pull request ready once green", { timeout: 240_000 }, async () => {
      const { store, port, github, bares } = app!;
      const runId = await startRun(port, store, "repair");
      const wait = await waitFor(store, runId, "the CI wait", () => true);
      expect(github.pulls.find((pull) => pull.repo === `${OWNER}/repair`)!.draft).toBe(true);

      github.addCiCheck({ repo: `${OWNER}/repair`, name: "test", headSha: wait.headSha, conclusion: "failure", annotations: [{ path: "src/calc.ts", start_line: 2, annotation_level: "failure", message: "expected 4, got 0" }], log: "FAIL add\n" });
      await ciCompleted(port, "repair", wait.headSha);
      const repaired = await waitFor(store, runId, "the repair round pushed", (w) => w.round === 1);
      expect(await git(bares.get("repair")!, "show", `${repaired.headSha}:src/calc.ts`)).toBe(FIXED.trimEnd());

      github.addCiCheck({ repo: `${OWNER}/repair`, name: "test", headSha: repaired.headSha, conclusion: "success" });
      await ciCompleted(port, "repair", repaired.headSha, "check_run");
      expect(await waitFor(store, runId, "CI passed", (w) => w.state !== "waiting")).toMatchObject({ state: "passed", round: 1 });
      await until(() => !github.pulls.find((pull) => pull.repo === `${OWNER}/repair`)!.draft, "the pull request ready");
    });

    it("times out from the web process's sweep, the CI step on a worker", { timeout: 240_000 }, async () => {
      const { store, port, github } = app!;
      const runId = await startRun(port, store, "slow");
      const wait = await waitFor(store, runId, "the CI wait", () => true);
      github.addCiCheck({ repo: `${OWNER}/slow`, name: "test", headSha: wait.headSha, status: "queued" });
      expect(await waitFor(store, runId, "the timeout", (w) => w.state !== "waiting")).toMatchObject({ state: "timed-out" });
      await until(() => github.pulls.find((pull) => pull.repo === `${OWNER}/slow`)!.body.includes("did not finish on"), "the timeout reported");
      expect(github.pulls.find((pull) => pull.repo === `${OWNER}/slow`)!.draft).toBe(true);
    });
  });
});
