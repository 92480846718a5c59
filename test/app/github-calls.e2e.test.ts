/**
 * The GitHub calls of one run, end to end on the embedded deployment: a
 * saved workflow of one change, with the repository's CI green. GitHub lets
 * an installation write about once a second, so every write a run adds slows
 * every run on that installation: the writes are listed exactly, and a change
 * that adds one fails here until the list is updated on purpose. Reads are
 * counted too (each is a round trip).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/index.js";
import type { FakeGitHubServer, ServedCall } from "../fakes/fake-github-server.js";
import { until } from "../durability/app-processes.js";
import { startCiApp, type CiApp } from "./ci/ci-app.js";
import { ciCompleted, OWNER, startRun, waitFor } from "./ci/ci-flow.js";

/** `METHOD /path` with ids, commit shas and the query left out, so the list reads the same on every run. */
function shapeOf(call: ServedCall): string {
  const path = call.path
    .replace(/\?.*$/, "")
    .replace(/\b[0-9a-f]{40}\b/g, ":sha")
    .replace(/\/\d+(?=\/|$)/g, "/:id")
    .replace(`/repos/${OWNER}/green`, "/repos/:repo");
  return `${call.method} ${path}`;
}

const isWrite = (call: ServedCall) => call.method !== "GET";
/** The App's own calls (its installation token): not the installation's, and not limited with them. */
const isAppAuth = (call: ServedCall) => /^\/app\//.test(call.path);

describe("the GitHub calls of a run (embedded deployment)", () => {
  let app: CiApp;
  let github: FakeGitHubServer;
  let store: Store;
  let port: number;

  beforeAll(async () => {
    app = await startCiApp({ prefix: "dynflow-calls-", shape: "embedded", repositories: [["green", "  repairRounds: 1\n"]] });
    ({ github, store, port } = app);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it("writes 8 times from the command to the draft pull request, and 3 times when CI passes", { timeout: 180_000 }, async () => {
    const runId = await startRun(port, store, "green");
    const wait = await waitFor(store, runId, "the CI wait", () => true);
    // The run's step ends with a first look at CI (nothing there yet).
    await until(() => github.calls.some((call) => call.path.includes(`/commits/${wait.headSha}/statuses`)), "the first look at CI");
    await until(async () => (await store.leases.read(`run:${runId}`)) === undefined, "the run's step to end");
    const run = github.calls.filter((call) => !isAppAuth(call));

    const writes = run.filter(isWrite).map(shapeOf);
    // The check run is created alongside the script, so the first progress edit may come before it.
    expect([...writes.slice(0, 2), ...writes.slice(2, 4).sort(), ...writes.slice(4)]).toEqual([
      // Acknowledged by the planning step: 👀 and the status comment.
      "POST /repos/:repo/issues/comments/:id/reactions",
      "POST /repos/:repo/issues/:id/comments",
      // Executing: the status comment's first progress edit, and the check run.
      "PATCH /repos/:repo/issues/comments/:id",
      "POST /repos/:repo/check-runs",
      // Finished: the pull request (a draft while CI runs), the check run completed and the final status
      // comment (both saying CI is awaited), 🚀.
      "POST /repos/:repo/pulls",
      "PATCH /repos/:repo/check-runs/:id",
      "PATCH /repos/:repo/issues/comments/:id",
      "POST /repos/:repo/issues/comments/:id/reactions",
    ]);
    const reads = run.filter((call) => !isWrite(call)).map(shapeOf);
    // The config and the base commit are read at once, and planning asks for the clone URL (the clone starts first)
    // while it looks for a status comment: each pair in either order.
    expect([reads[0], ...reads.slice(1, 3).sort(), reads[3], ...reads.slice(4, 6).sort(), ...reads.slice(6)]).toEqual([
      // The command: who asked, the config, the base commit, the saved workflow.
      "GET /repos/:repo/collaborators/octocat/permission",
      "GET /repos/:repo/branches/main",
      "GET /repos/:repo/contents/.github%2Fdynflow.yml",
      "GET /repos/:repo/contents/.claude%2Fworkflows%2Ftidy.js",
      // Planning: the clone URL, a status comment left by an earlier attempt.
      "GET /repos/:repo",
      "GET /repos/:repo/issues/:id/comments",
      // Executing: a check run left by an earlier attempt, the bot's user id (once per process).
      "GET /repos/:repo/commits/:sha/check-runs",
      "GET /users/dynflow-app%5Bbot%5D",
      // Finished: the first look at CI (check runs and commit statuses).
      "GET /repos/:repo/commits/:sha/check-runs",
      "GET /repos/:repo/commits/:sha/statuses",
    ]);
    expect(await store.runs.get(runId)).toMatchObject({ status: "ok", prNumber: github.pulls[0]!.number });

    const before = github.calls.length;
    github.addCiCheck({ repo: `${OWNER}/green`, name: "test", headSha: wait.headSha, conclusion: "success" });
    await ciCompleted(port, "green", wait.headSha);
    await waitFor(store, runId, "CI passed", (w) => w.state === "passed");
    await until(async () => (await store.leases.read(`run:${runId}`)) === undefined, "the CI step to end");
    const ci = github.calls.slice(before);
    // Ready for review with the pull request body's CI section (one GraphQL request), then the CI section of
    // the status comment and the check run.
    expect(ci.filter(isWrite).map(shapeOf)).toEqual(["POST /graphql", "PATCH /repos/:repo/issues/comments/:id", "PATCH /repos/:repo/check-runs/:id"]);
    expect(ci.filter((call) => !isWrite(call)).map(shapeOf)).toEqual([
      "GET /repos/:repo/commits/:sha/check-runs",
      "GET /repos/:repo/commits/:sha/statuses",
      "GET /repos/:repo/pulls/:id",
      "GET /repos/:repo/issues/comments/:id",
      "GET /repos/:repo/check-runs/:id",
    ]);
    expect(github.pulls[0]).toMatchObject({ draft: false });
    expect(github.pulls[0]!.body).toContain("CI passed on");
  });
});
