import nock from "nock";
import { describe, expect, it } from "vitest";
import { PullRequestBodyTooLongError } from "../../src/github/errors.js";
import { publishPullRequest, type PublishPullRequestOptions } from "../../src/github/open-pull-request.js";
import { GITHUB_BODY_LIMIT, renderReport } from "../../src/report/render-report.js";
import { migrationRunModel } from "../report/fixtures/migration-run.js";
import { API, GHE_API, testOctokit, useNock } from "./octokit.js";

useNock();

const PULLS = "/repos/acme/storefront/pulls";
const COMMENT_URL = "https://github.com/acme/storefront/issues/7#issuecomment-99";

function options(overrides: Partial<PublishPullRequestOptions> = {}): PublishPullRequestOptions {
  return {
    octokit: testOctokit(),
    owner: "acme",
    repo: "storefront",
    base: "main",
    head: "dynflow/r-7f3a",
    title: "dynflow: migrate callers of fetchJson",
    body: "report body",
    draft: false,
    requester: "octocat",
    commentUrl: COMMENT_URL,
    merged: ["src/billing"],
    ...overrides,
  };
}

const pull = (number: number, draft: boolean) => ({
  number,
  html_url: `https://github.com/acme/storefront/pull/${number}`,
  node_id: `PR_node${number}`,
  draft,
});

describe("publishPullRequest", () => {
  it("opens a pull request with the report as body when none is open from the branch", async () => {
    const body = renderReport({ ...migrationRunModel(), links: { requester: "octocat", commentUrl: COMMENT_URL } });
    expect(body.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    const scope = nock(API)
      .get(PULLS)
      .query({ head: "acme:dynflow/r-7f3a", state: "open", per_page: "10" })
      .reply(200, [])
      // The report already names the requester and links the command: the body goes as it is.
      .post(PULLS, { base: "main", head: "dynflow/r-7f3a", title: "dynflow: migrate callers of fetchJson", body, draft: true })
      .reply(201, pull(12, true));

    const result = await publishPullRequest(options({ body, draft: true }));

    expect(result).toEqual({ number: 12, url: "https://github.com/acme/storefront/pull/12", nodeId: "PR_node12", draft: true, created: true });
    expect(scope.isDone()).toBe(true);
  });

  it("names the requester and links the command when the body does not", async () => {
    const scope = nock(API)
      .get(PULLS)
      .query(true)
      .reply(200, [])
      .post(PULLS, (sent) => sent.body === `report body\n\nRequested by @octocat · [Command](${COMMENT_URL})\n`)
      .reply(201, pull(13, false));
    await publishPullRequest(options());
    expect(scope.isDone()).toBe(true);
  });

  it("does not take a longer login for the requester's mention", async () => {
    const scope = nock(API)
      .get(PULLS)
      .query(true)
      .reply(200, [])
      .post(PULLS, (sent) => sent.body === `thanks @octocat-fan, see ${COMMENT_URL}\n\nRequested by @octocat\n`)
      .reply(201, pull(14, false));
    await publishPullRequest(options({ body: `thanks @octocat-fan, see ${COMMENT_URL}` }));
    expect(scope.isDone()).toBe(true);
  });

  it("updates the open pull request of a re-run and turns it into a draft with GraphQL", async () => {
    const scope = nock(GHE_API)
      .get(PULLS)
      .query(true)
      .reply(200, [pull(12, false)])
      .patch(`${PULLS}/12`, { base: "main", title: "dynflow: migrate callers of fetchJson", body: "report body @octocat " + COMMENT_URL })
      .reply(200, pull(12, false));
    const graphql = nock("https://ghe.acme.test")
      .post("/api/graphql", (sent) => sent.query.includes("convertPullRequestToDraft") && sent.variables.id === "PR_node12")
      .reply(200, { data: { convertPullRequestToDraft: { pullRequest: { isDraft: true } } } });

    const result = await publishPullRequest(
      options({ octokit: testOctokit(GHE_API), body: `report body @octocat ${COMMENT_URL}`, draft: true }),
    );

    expect(result).toMatchObject({ number: 12, draft: true, created: false });
    expect(scope.isDone()).toBe(true);
    expect(graphql.isDone()).toBe(true);
  });

  it("marks a draft ready for review when the re-run converged", async () => {
    const scope = nock(API)
      .get(PULLS)
      .query(true)
      .reply(200, [pull(12, true)])
      .patch(`${PULLS}/12`)
      .reply(200, pull(12, true))
      .post("/graphql", (sent) => sent.query.includes("markPullRequestReadyForReview") && sent.variables.id === "PR_node12")
      .reply(200, { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false } } } });

    const result = await publishPullRequest(options({ draft: false }));

    expect(result).toMatchObject({ number: 12, draft: false, created: false });
    expect(scope.isDone()).toBe(true);
  });

  it("leaves the draft state alone when it is already right", async () => {
    const scope = nock(API).get(PULLS).query(true).reply(200, [pull(12, true)]).patch(`${PULLS}/12`).reply(200, pull(12, true));
    await publishPullRequest(options({ draft: true }));
    expect(scope.isDone()).toBe(true);
  });

  it("updates the pull request another attempt opened in the meantime", async () => {
    const scope = nock(API)
      .get(PULLS)
      .query(true)
      .reply(200, [])
      .post(PULLS)
      .reply(422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom" }] })
      .get(PULLS)
      .query(true)
      .reply(200, [pull(15, false)])
      .patch(`${PULLS}/15`)
      .reply(200, pull(15, false));

    const result = await publishPullRequest(options());

    expect(result).toMatchObject({ number: 15, created: false });
    expect(scope.isDone()).toBe(true);
  });

  it("opens it without looking first when no earlier attempt can have, and updates the one GitHub says exists", async () => {
    const fresh = nock(API).post(PULLS).reply(201, pull(16, false));
    expect(await publishPullRequest(options({ mayExist: false }))).toMatchObject({ number: 16, created: true });
    expect(fresh.isDone()).toBe(true);

    const raced = nock(API)
      .post(PULLS)
      .reply(422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: "A pull request already exists for acme:dynflow/r-1." }] })
      .get(PULLS)
      .query(true)
      .reply(200, [pull(15, false)])
      .patch(`${PULLS}/15`)
      .reply(200, pull(15, false));
    expect(await publishPullRequest(options({ mayExist: false }))).toMatchObject({ number: 15, created: false });
    expect(raced.isDone()).toBe(true);
  });

  it("sends a body at the limit as it is, with no room for the attribution", async () => {
    const full = "x".repeat(GITHUB_BODY_LIMIT);
    const scope = nock(API).get(PULLS).query(true).reply(200, []).post(PULLS, (sent) => sent.body === full).reply(201, pull(16, false));
    await publishPullRequest(options({ body: full }));
    expect(scope.isDone()).toBe(true);
  });

  it("opens no pull request when nothing was merged", async () => {
    // No interceptor: any request would fail the call.
    expect(await publishPullRequest(options({ merged: [] }))).toBeNull();
  });

  it("refuses a body over GitHub's limit before calling GitHub", async () => {
    await expect(publishPullRequest(options({ body: "x".repeat(GITHUB_BODY_LIMIT + 1) }))).rejects.toBeInstanceOf(
      PullRequestBodyTooLongError,
    );
  });
});
