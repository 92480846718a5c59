import nock from "nock";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { showCiState } from "../../../src/app/ci/show-ci-state.js";
import { DEFAULT_CI } from "../../../src/config/ci-config.js";
import type { CiWait, RunRecord } from "../../../src/store/index.js";
import { API, testOctokit, useNock } from "../../github/octokit.js";

const SHA = "a".repeat(40);
const run = { owner: "acme", repo: "widgets", statusCommentId: null, checkRunId: null } as unknown as RunRecord;
const passed: CiWait = {
  runId: "r-1",
  installationId: 77,
  owner: "acme",
  repo: "widgets",
  branch: "dynflow/r-1",
  headSha: SHA,
  round: 0,
  state: "passed",
  deadline: 0,
  signals: 0,
  prNumber: 12,
  prNodeId: "PR_12",
  readyWhenGreen: true,
  settings: { ...DEFAULT_CI },
  history: [{ round: 0, headSha: SHA, outcome: "passed", failing: [] }],
  createdAt: 0,
  updatedAt: 0,
};
const log = pino({ level: "silent" });

describe("showCiState", () => {
  useNock();

  it("makes the pull request ready and writes its body in one GraphQL request", async () => {
    let sent: { query: string; variables: { id: string; body: string } } | undefined;
    const scope = nock(API)
      .get("/repos/acme/widgets/pulls/12")
      .reply(200, { number: 12, body: "report" })
      .post("/graphql", (body: typeof sent) => ((sent = body), true))
      .reply(200, { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false } }, updatePullRequest: { pullRequest: { id: "PR_12" } } } });

    await showCiState(testOctokit(), run, passed, log, { ready: true });
    expect(scope.isDone()).toBe(true);
    expect(sent!.query).toContain("markPullRequestReadyForReview");
    expect(sent!.query).toContain("updatePullRequest");
    expect(sent!.variables).toMatchObject({ id: "PR_12" });
    expect(sent!.variables.body).toMatch(/^report\n\n<!-- dynflow:ci -->\n### CI\n\n✅ CI passed on/);
  });

  it("still writes the body when GitHub refuses to make it ready", async () => {
    const scope = nock(API)
      .get("/repos/acme/widgets/pulls/12")
      .reply(200, { number: 12, body: "report" })
      .post("/graphql")
      .reply(200, { data: null, errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }] })
      .patch("/repos/acme/widgets/pulls/12", (body: { body: string }) => body.body.includes("✅ CI passed on"))
      .reply(200, { number: 12 });

    await showCiState(testOctokit(), run, passed, log, { ready: true });
    expect(scope.isDone()).toBe(true);
  });
});
