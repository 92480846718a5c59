/**
 * CI as the final judge on the scaled-out deployment: a web process that only
 * receives webhooks and enqueues, `dynflow worker`s taking run steps and
 * agents, PostgreSQL (a fresh schema) and Redis (queue names of its own).
 * The webhook about the failing commit reaches the web process; the CI step
 * and its repair round run on a worker; the deadline sweep runs in the web
 * process and the timeout is decided on a worker.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../../fakes/fake-github-server.js";
import { until } from "../../durability/app-processes.js";
import { startDeployment, type Deployment } from "../../durability/deployment.js";
import { describeWithPostgres } from "../../durability/postgres-harness.js";
import { describeWithRedis } from "../../queue/redis-harness.js";
import { git, removeDir, tempDir } from "../../workspace/git-fixture.js";
import { addCiRepository, ciCompleted, FIXED, handleModel, OWNER, startRun, waitFor } from "./ci-flow.js";

describeWithRedis("CI waits on the scaled-out deployment", () => {
  describeWithPostgres("web + a worker on PostgreSQL and Redis", () => {
    let work: string;
    let github: FakeGitHubServer;
    let model: FakeAnthropic;
    let deployment: Deployment | undefined;
    const bares = new Map<string, string>();

    beforeAll(async () => {
      work = await tempDir("dynflow-ci-scaled-");
      github = await startFakeGitHubServer();
      model = await startFakeAnthropic({ prefixDelayMs: 1 });
      handleModel(model);
      bares.set("repair", await addCiRepository(github, work, "repair", "  repairRounds: 1\n"));
      bares.set("slow", await addCiRepository(github, work, "slow", "  timeoutMinutes: 0.05\n"));
      deployment = await startDeployment({ shape: "scaled", github, model, work, workers: 1, env: { DYNFLOW_CI_SWEEP_SECONDS: "1" } });
    }, 240_000);

    afterAll(async () => {
      await deployment?.close();
      await model?.close();
      await github?.close();
      await removeDir(work);
    });

    it("repairs a failing CI on a worker and marks the pull request ready once green", { timeout: 240_000 }, async () => {
      const { store, port } = deployment!;
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
      const { store, port } = deployment!;
      const runId = await startRun(port, store, "slow");
      const wait = await waitFor(store, runId, "the CI wait", () => true);
      github.addCiCheck({ repo: `${OWNER}/slow`, name: "test", headSha: wait.headSha, status: "queued" });
      expect(await waitFor(store, runId, "the timeout", (w) => w.state !== "waiting")).toMatchObject({ state: "timed-out" });
      await until(() => github.pulls.find((pull) => pull.repo === `${OWNER}/slow`)!.body.includes("did not finish on"), "the timeout reported");
      expect(github.pulls.find((pull) => pull.repo === `${OWNER}/slow`)!.draft).toBe(true);
    });
  });
});
