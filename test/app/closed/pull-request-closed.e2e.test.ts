/**
 * A run's consolidated pull request closed, end to end on the embedded
 * deployment: dynflow in a process of its own, the fake GitHub serving bare
 * repositories, webhooks delivered signed over HTTP. Closing it deletes the
 * run's worker branches from the remote (never the result branch) and ends
 * a CI wait; anything that is not a run's own pull request changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../../src/store/index.js";
import type { FakeAnthropic } from "../../fakes/fake-anthropic.js";
import type { FakeGitHubServer } from "../../fakes/fake-github-server.js";
import { deliverWebhook, until } from "../../durability/app-processes.js";
import { git } from "../../workspace/git-fixture.js";
import { startCiApp, type CiApp } from "../ci/ci-app.js";
import { ciCompleted, INSTALLATION, isRepair, OWNER, startRun, waitFor } from "../ci/ci-flow.js";
import { dynflowBranches, pullRequestClosed } from "./closed-flow.js";

const E2E = { timeout: 240_000 };

describe("a run's pull request closed (embedded deployment)", () => {
  let app: CiApp;
  let github: FakeGitHubServer;
  let model: FakeAnthropic;
  let store: Store;
  let port: number;
  let bares: CiApp["bares"];
  let untouched = "";

  beforeAll(async () => {
    app = await startCiApp({
      prefix: "dynflow-closed-",
      shape: "embedded",
      repositories: [
        ["merged", "  wait: false\n"],
        ["waiting", "  repairRounds: 1\n"],
        ["restart", "  wait: false\n"],
      ],
    });
    ({ github, model, store, port, bares } = app);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  const pullOf = (repo: string) => app.pullOf(repo);

  /** Starts a run on `repo` and resolves once it has pushed its branches and opened its pull request. */
  async function finishedRun(repo: string): Promise<{ runId: string; number: number; workers: string[] }> {
    const runId = await startRun(port, store, repo);
    await until(async () => (await store.runs.get(runId))?.prNumber != null, "the run's pull request", 120_000, 100);
    const run = (await store.runs.get(runId))!;
    const branches = await dynflowBranches(bares.get(repo)!);
    const workers = branches.filter((branch) => branch.startsWith(`dynflow/${runId}-work/`));
    expect(workers.length).toBeGreaterThan(0);
    expect(branches).toContain(`dynflow/${runId}`);
    return { runId, number: run.prNumber!, workers };
  }

  /** Resolves once the run's cleanup is no longer pending (the `closed` step finished). */
  const cleanedUp = (runId: string) => until(async () => (await store.branchCleanups.pending(runId)) === undefined, "the cleanup done", 60_000, 100);

  it("deletes the run's worker branches (its repair rounds' too) and keeps dynflow/<run-id>; a redelivery changes nothing", E2E, async () => {
    const bare = bares.get("merged")!;
    const { runId, number, workers } = await finishedRun("merged");
    expect((await store.runs.get(runId))!.status).toBe("ok");
    // A repair round's worker branch, and another run's, as workers on other machines may have pushed them.
    await git(bare, "update-ref", `refs/heads/dynflow/${runId}-ci1-work/fix-1a2b3c`, "main");
    await git(bare, "update-ref", "refs/heads/dynflow/r-other-work/calc-1a2b3c", "main");
    const result = await git(bare, "rev-parse", `dynflow/${runId}`);

    const close = { number, head: `dynflow/${runId}`, merged: true, delivery: "closed-merged-1" };
    expect(await pullRequestClosed(port, "merged", close)).toBe(200);
    await until(async () => !(await dynflowBranches(bare)).some((branch) => branch.startsWith(`dynflow/${runId}-`)), "the worker branches deleted", 60_000, 100);
    await cleanedUp(runId);
    expect(await dynflowBranches(bare)).toEqual([`dynflow/${runId}`, "dynflow/r-other-work/calc-1a2b3c"].sort());
    expect(await git(bare, "rev-parse", `dynflow/${runId}`)).toBe(result);
    expect(workers.every((branch) => branch.startsWith(`dynflow/${runId}-work/`))).toBe(true);

    // GitHub redelivers the same delivery: the step runs again and finds nothing to do.
    expect(await pullRequestClosed(port, "merged", close)).toBe(200);
    await cleanedUp(runId);
    expect(await dynflowBranches(bare)).toEqual([`dynflow/${runId}`, "dynflow/r-other-work/calc-1a2b3c"].sort());
    expect(await store.ciWaits.get(runId)).toBeUndefined();
  });

  it("ends a CI wait cancelled, saying the pull request was closed; later CI webhooks change nothing", E2E, async () => {
    const bare = bares.get("waiting")!;
    const runId = await startRun(port, store, "waiting");
    const wait = await waitFor(store, runId, "the CI wait", () => true);
    const number = (await store.runs.get(runId))!.prNumber!;

    expect(await pullRequestClosed(port, "waiting", { number, head: `dynflow/${runId}`, delivery: "closed-waiting-1" })).toBe(200);
    const cancelled = await waitFor(store, runId, "the wait cancelled", (w) => w.state !== "waiting");
    expect(cancelled).toMatchObject({ state: "cancelled", round: 0, history: [{ round: 0, outcome: "cancelled", note: "the pull request was closed." }] });
    await cleanedUp(runId);
    await until(() => pullOf("waiting").body.includes("No longer waiting for CI"), "the CI section updated", 60_000, 100);
    expect(pullOf("waiting").body).toContain("the pull request was closed.");
    expect(await dynflowBranches(bare)).toEqual([`dynflow/${runId}`]);

    // CI fails afterwards: no repair round runs, nothing is pushed.
    github.addCiCheck({ repo: `${OWNER}/waiting`, name: "test", headSha: wait.headSha, conclusion: "failure" });
    await ciCompleted(port, "waiting", wait.headSha);
    expect(await store.ciWaits.get(runId)).toMatchObject({ state: "cancelled", round: 0, headSha: wait.headSha, signals: 0 });
    expect(model.requests.some(isRepair)).toBe(false);
    expect(await git(bare, "rev-parse", `dynflow/${runId}`)).toBe(wait.headSha);
  });

  it("refuses a malformed payload, and does nothing for a pull request that is not the run's own: a fork's, another branch's, an unknown run's, another installation's, another number", E2E, async () => {
    const bare = bares.get("restart")!;
    const { runId, number } = await finishedRun("restart");
    untouched = runId;
    const before = await dynflowBranches(bare);
    // A payload without the fields dynflow reads is refused.
    expect(await deliverWebhook(port, { id: "closed-malformed", name: "pull_request", payload: { action: "closed", repository: { id: 1, name: "restart", owner: { login: OWNER } }, installation: { id: INSTALLATION } } })).toBe(400);
    const notOurs = [
      { number, head: `dynflow/${runId}`, headRepoId: 999, delivery: "closed-fork" },
      { number, head: "feature/tidy", delivery: "closed-other-branch" },
      { number, head: `dynflow/${runId}-work/calc`, delivery: "closed-worker-branch" },
      { number, head: "dynflow/r-unknown0run", delivery: "closed-unknown-run" },
      { number, head: `dynflow/${runId}`, installationId: INSTALLATION + 1, delivery: "closed-other-installation" },
      { number: number + 100, head: `dynflow/${runId}`, delivery: "closed-other-number" },
    ];
    for (const close of notOurs) expect(await pullRequestClosed(port, "restart", close)).toBe(200);
    // The handler has returned: had it recorded anything, the cleanup would be pending now.
    expect(await store.branchCleanups.pending(runId)).toBeUndefined();
    expect(await store.branchCleanups.listPending()).toEqual([]);
    expect(await dynflowBranches(bare)).toEqual(before);
  });

  it("finishes a cleanup recorded before a crash once a new process starts", E2E, async () => {
    const bare = bares.get("restart")!;
    // The run the test before left alone.
    const runId = untouched;
    expect((await dynflowBranches(bare)).some((branch) => branch.startsWith(`dynflow/${runId}-work/`))).toBe(true);
    expect(await app.deployment.web.stop("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    // What the webhook recorded before the process died, its queued step lost with it.
    await store.branchCleanups.request(runId);
    // The process is gone already: this only starts a new one.
    await app.deployment.restartWeb();
    await cleanedUp(runId);
    expect(await dynflowBranches(bare)).toEqual([`dynflow/${runId}`]);
  });
});
