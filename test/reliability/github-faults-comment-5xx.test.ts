/**
 * A status comment GitHub created before it failed to answer (a 502 on
 * `POST .../comments` that was applied) must not be created twice: the
 * write is not retried blindly; the comment is looked for by its marker
 * first. Probot's Octokit with its retries on, as in production.
 */
import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { createStatusComment } from "../../src/github/status-comment.js";
import { statusMarker } from "../../src/progress/status-marker.js";
import { API, useNock } from "../github/octokit.js";

const RetryingOctokit = ProbotOctokit.defaults({ throttle: { enabled: false } });
const comments = "/repos/acme/widgets/issues/42/comments";

describe("a status comment whose creation GitHub applied but answered 502", () => {
  useNock();

  it("is found again by its marker instead of being created twice", async () => {
    const octokit = new RetryingOctokit({ auth: { token: "ghs_testtoken000000000000000000000000" } });
    let posts = 0;
    const scope = nock(API)
      .get(comments)
      .query(true)
      .reply(200, [])
      .post(comments, () => {
        posts++;
        return true;
      })
      .reply(502, { message: "Bad Gateway" })
      .get(comments)
      .query(true)
      .reply(200, [{ id: 501, html_url: "https://github.com/acme/widgets/issues/42#issuecomment-501", body: `${statusMarker("r-1")}\nplanning`, user: { login: "dynflow[bot]", type: "Bot" } }]);
    nock(API).post(comments).reply(201, { id: 502, html_url: "https://github.com/acme/widgets/issues/42#issuecomment-502" });

    const status = createStatusComment({ octokit: octokit as never, owner: "acme", repo: "widgets", issueNumber: 42, runId: "r-1", botLogin: "dynflow[bot]" });
    const ref = await status.flush("planning");
    expect(ref.id).toBe(501);
    expect(posts).toBe(1);
    expect(scope.isDone()).toBe(true);
  }, 30_000);
});
