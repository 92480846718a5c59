/**
 * A run is executed once, whatever restarts around it. While a run executes
 * (its workers held at the model), a new process starts and runs restart
 * recovery over the same store:
 * - scaled out (web + a worker on PostgreSQL and Redis): the web process is
 *   restarted, as a deploy does, while the worker's `plan` step executes the run;
 * - embedded (SQLite): a second process starts on the same data directory
 *   while the first still executes the run, as an overlapping deploy does.
 * Recovery must leave the run to the step that executes it: no agent is
 * called twice, one pull request, and the status comment never says failed,
 * before or after it says finished.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.js";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../fakes/fake-github-server.js";
import { describeWithRedis } from "../queue/redis-harness.js";
import { removeDir, tempDir } from "../workspace/git-fixture.js";
import { appEnv, commentPayload, deliverWebhook, freePort, makeRemote, startAppProcess, until, type AppProcess } from "../durability/app-processes.js";
import { startDeployment, type Deployment } from "../durability/deployment.js";
import { describeWithPostgres } from "../durability/postgres-harness.js";
import { countByAgent, FILES, gate, loggedQueued, loggedRecovery, MODULES, ONCE, saysFailed, saysFinished, scriptModel, statusCommentHistory, type Gate } from "./once-support.js";

const FINAL = ["ok", "error", "cancelled", "capped", "budget-exhausted"];

/**
 * Once `process` has run recovery, and whatever it queued has either started
 * a second execution (the defect, seen in the log of any process of the
 * deployment) or been refused the run's lease, lets the workers go on.
 * Fails at once when the run was executed a second time.
 */
async function openAfterRecovery(process: AppProcess, all: () => AppProcess[], runId: string, held: Gate): Promise<void> {
  await until(() => loggedRecovery(process.stderr()), `${process.name} to run restart recovery`, 60_000);
  const count = (message: string) => all().reduce((sum, child) => sum + countLines(child.stderr(), runId, message), 0);
  if (loggedQueued(process.stderr(), runId, "execute")) {
    await until(() => count("run executing") >= 2 || count("another step holds this run; leaving it to that step") >= 1, "the queued execution to start or be refused", 60_000);
  }
  expect(count("run executing"), "executions of the run").toBe(1);
  held.open();
}

function countLines(stderr: string, runId: string, message: string): number {
  return stderr.split("\n").filter((line) => line.includes(`"msg":"${message}"`) && line.includes(`"runId":"${runId}"`)).length;
}

async function expectExecutedOnce(github: FakeGitHubServer, model: FakeAnthropic, store: Store, runId: string): Promise<void> {
  const events = (await store.events.list(runId)).map((stored) => stored.event.type);
  expect(events.filter((type) => type === "run.started")).toHaveLength(1);
  expect(events.filter((type) => type === "run.finished")).toHaveLength(1);
  expect(countByAgent(model.requests)).toEqual(ONCE);
  expect(github.callsTo("POST", /^\/repos\/acme\/modules\/pulls$/)).toHaveLength(1);
  expect(github.pulls).toMatchObject([{ head: `dynflow/${runId}` }]);
  expect(github.comments).toHaveLength(1);
  const history = statusCommentHistory(github, "acme/modules", 7);
  expect(history.filter(saysFailed)).toEqual([]);
  expect(saysFinished(history.at(-1)!)).toBe(true);
  // Finished means the pull request is there: no status comment said so before it was opened.
  const at = (predicate: (call: (typeof github.calls)[number]) => boolean) => github.calls.findIndex(predicate);
  const opened = at((call) => call.method === "POST" && /\/pulls$/.test(call.path));
  const finished = at((call) => /\/issues\/(\d+\/)?comments/.test(call.path) && saysFinished(String((call.body as { body?: unknown } | null)?.body ?? "")));
  expect(finished).toBeGreaterThan(opened);
}

describeWithRedis("a run is executed once (scaled out)", () => {
  describeWithPostgres("the web process restarted while a worker executes the run", () => {
    let work: string;
    let github: FakeGitHubServer;
    let model: FakeAnthropic;
    let deployment: Deployment | undefined;
    const held = gate();

    beforeAll(async () => {
      work = await tempDir("dynflow-once-scaled-");
      github = await startFakeGitHubServer();
      github.addRepository({ owner: "acme", repo: "modules", installationId: 77, bareDir: await makeRemote(work, "modules", FILES) });
      model = await startFakeAnthropic({ prefixDelayMs: 5 });
      scriptModel(model, held);
    });

    afterAll(async () => {
      held.open();
      await deployment?.close();
      await model?.close();
      await github?.close();
      await removeDir(work);
    }, 90_000);

    it("executes the run once, with one pull request and a status comment that never says failed", { timeout: 180_000 }, async () => {
      // One worker taking two run steps at once: a duplicate step would land beside the first.
      deployment = await startDeployment({ shape: "scaled", github, model, work, workers: 1, env: { DYNFLOW_MAX_CONCURRENT_RUNS: "2", LOG_LEVEL: "info" } });
      const { store } = deployment;
      const payload = commentPayload({ owner: "acme", repo: "modules", installationId: 77, issue: 7, commentId: 9301, body: "/dynflow run tag-modules" });
      expect(await deliverWebhook(deployment.port, { id: "delivery-once-1", name: "issue_comment", payload })).toBe(200);
      await until(async () => (await store.runs.findByCommandComment(9301)) !== undefined, "the run record");
      const runId = (await store.runs.findByCommandComment(9301))!.id;
      await until(() => model.inFlight === MODULES.length, "the run's workers to reach the model", 90_000);

      const web = await deployment.restartWeb("SIGTERM");
      await openAfterRecovery(web, () => [...deployment!.workers], runId, held);
      await until(async () => FINAL.includes((await store.runs.get(runId))!.status), "the run to finish", 120_000);

      expect((await store.runs.get(runId))!.status).toBe("ok");
      await expectExecutedOnce(github, model, store, runId);
    });
  });
});

describe("a run is executed once (embedded)", () => {
  let work: string;
  let github: FakeGitHubServer;
  let model: FakeAnthropic;
  let store: Store | undefined;
  const processes: AppProcess[] = [];
  const held = gate();

  beforeAll(async () => {
    work = await tempDir("dynflow-once-embedded-");
    github = await startFakeGitHubServer();
    github.addRepository({ owner: "acme", repo: "modules", installationId: 77, bareDir: await makeRemote(work, "modules", FILES) });
    model = await startFakeAnthropic({ prefixDelayMs: 5 });
    scriptModel(model, held);
  });

  afterAll(async () => {
    held.open();
    for (const child of processes) await child.stop("SIGKILL");
    await store?.close();
    await model?.close();
    await github?.close();
    await removeDir(work);
  }, 90_000);

  it("leaves the run to the process executing it when a second process starts on the same store", { timeout: 180_000 }, async () => {
    const dataDir = join(work, "data");
    const port = await freePort();
    const first = await startAppProcess("app #1", "app", appEnv({ github, model, dataDir, port, extra: { LOG_LEVEL: "info" } }));
    processes.push(first);
    store = await openStore({ sqlitePath: join(dataDir, "dynflow.db") });
    const payload = commentPayload({ owner: "acme", repo: "modules", installationId: 77, issue: 7, commentId: 9302, body: "/dynflow run tag-modules" });
    expect(await deliverWebhook(port, { id: "delivery-once-2", name: "issue_comment", payload })).toBe(200);
    await until(async () => (await store!.runs.findByCommandComment(9302)) !== undefined, "the run record");
    const runId = (await store.runs.findByCommandComment(9302))!.id;
    await until(() => model.inFlight === MODULES.length, "the run's workers to reach the model", 90_000);

    const second = await startAppProcess("app #2", "app", appEnv({ github, model, dataDir, port: await freePort(), extra: { LOG_LEVEL: "info" } }));
    processes.push(second);
    await openAfterRecovery(second, () => processes, runId, held);
    await until(async () => FINAL.includes((await store!.runs.get(runId))!.status), "the run to finish", 120_000);

    expect((await store.runs.get(runId))!.status).toBe("ok");
    await expectExecutedOnce(github, model, store, runId);
  });
});
