import nock from "nock";
import { describe, expect, it } from "vitest";
import { listPullRequestFiles, publishReview } from "../../src/github/publish-review.js";
import { GHE_API, testOctokit, useNock } from "./octokit.js";

const REVIEWS = "/repos/acme/widgets/pulls/42/reviews";

describe("publishReview", () => {
  useNock();

  it("posts a comment review marked with the run id", async () => {
    const scope = nock(GHE_API)
      .get(REVIEWS)
      .query({ per_page: 100 })
      .reply(200, [{ id: 1, body: "LGTM from a person" }])
      .post(REVIEWS, (body) => body.event === "COMMENT" && body.body === "<!-- dynflow:review run=r-1 -->\n### Review")
      .reply(200, { id: 7, html_url: "https://ghe.acme.test/acme/widgets/pull/42#pullrequestreview-7" });
    const posted = await publishReview({ octokit: testOctokit(GHE_API), owner: "acme", repo: "widgets", pullNumber: 42, runId: "r-1", body: "### Review" });
    expect(posted).toEqual({ id: 7, url: "https://ghe.acme.test/acme/widgets/pull/42#pullrequestreview-7", created: true });
    expect(scope.isDone()).toBe(true);
  });

  it("updates the run's own review instead of posting a second one", async () => {
    const scope = nock(GHE_API)
      .get(REVIEWS)
      .query({ per_page: 100 })
      .reply(200, [
        { id: 3, body: "<!-- dynflow:review run=r-0 -->\nan older run's review" },
        { id: 5, body: "<!-- dynflow:review run=r-1 -->\nfirst version" },
      ])
      .put(`${REVIEWS}/5`, { body: "<!-- dynflow:review run=r-1 -->\nsecond version" })
      .reply(200, { id: 5, html_url: "https://ghe.acme.test/acme/widgets/pull/42#pullrequestreview-5" });
    const posted = await publishReview({ octokit: testOctokit(GHE_API), owner: "acme", repo: "widgets", pullNumber: 42, runId: "r-1", body: "second version" });
    expect(posted.created).toBe(false);
    expect(scope.isDone()).toBe(true);
  });

  it("keeps a long review within GitHub's limit", async () => {
    let sent = "";
    const scope = nock(GHE_API)
      .get(REVIEWS)
      .query({ per_page: 100 })
      .reply(200, [])
      .post(REVIEWS, (body) => {
        sent = body.body;
        return true;
      })
      .reply(200, { id: 8, html_url: "u" });
    await publishReview({ octokit: testOctokit(GHE_API), owner: "acme", repo: "widgets", pullNumber: 42, runId: "r-1", body: "x".repeat(100_000) });
    expect(sent.length).toBeLessThanOrEqual(65_536);
    expect(sent.endsWith("…")).toBe(true);
    expect(scope.isDone()).toBe(true);
  });
});

describe("listPullRequestFiles", () => {
  useNock();

  it("lists the changed files, leaving out removed ones", async () => {
    const scope = nock(GHE_API)
      .get("/repos/acme/widgets/pulls/42/files")
      .query({ per_page: 100 })
      .reply(200, [
        { filename: "src/a.ts", status: "modified" },
        { filename: "src/gone.ts", status: "removed" },
        { filename: "src/new.ts", status: "added" },
      ]);
    expect(await listPullRequestFiles(testOctokit(GHE_API), { owner: "acme", repo: "widgets", pullNumber: 42 })).toEqual(["src/a.ts", "src/new.ts"]);
    expect(scope.isDone()).toBe(true);
  });
});
