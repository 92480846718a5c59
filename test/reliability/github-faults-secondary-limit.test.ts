/**
 * GitHub's secondary rate limit (403 with `retry-after`) on a write, through
 * Probot's Octokit exactly as dynflow's processes build it (`appOctokit()`
 * given to Probot, which adds its own throttle handlers): the write is
 * retried after the wait GitHub asks for, a bounded number of times, and a
 * run that still fails says it was GitHub's limit, not a missing permission.
 */
import nock from "nock";
import pino from "pino";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { describeFailure } from "../../src/app/finish/describe-failure.js";
import { appOctokit } from "../../src/github/app-octokit.js";
import { SECONDARY_LIMIT_RETRIES } from "../../src/github/github-client.js";
import { API, useNock } from "../github/octokit.js";

const LIMITED = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };

async function installationClient() {
  const probot = new Probot({ githubToken: "ghs_testtoken000000000000000000000000", Octokit: appOctokit(), log: pino({ level: "silent" }) });
  return probot.auth(42);
}

describe("GitHub's secondary rate limit on a write", () => {
  useNock();

  it("is retried after GitHub's retry-after, and the write goes through", async () => {
    const scope = nock(API)
      .post("/repos/acme/widgets/pulls")
      .reply(403, LIMITED, { "retry-after": "1" })
      .post("/repos/acme/widgets/pulls")
      .reply(201, { number: 7, html_url: "https://github.com/acme/widgets/pull/7" });
    const octokit = await installationClient();
    const { data } = await octokit.rest.pulls.create({ owner: "acme", repo: "widgets", title: "t", head: "dynflow/r-1", base: "main", body: "b" });
    expect(data.number).toBe(7);
    expect(scope.isDone()).toBe(true);
  }, 60_000);

  it("gives up after a bounded number of retries, and the failure says it was the rate limit", async () => {
    const scope = nock(API)
      .post("/repos/acme/widgets/pulls")
      .times(SECONDARY_LIMIT_RETRIES + 1)
      .reply(403, LIMITED, { "retry-after": "1" });
    const octokit = await installationClient();
    const error = await octokit.rest.pulls.create({ owner: "acme", repo: "widgets", title: "t", head: "dynflow/r-1", base: "main", body: "b" }).catch((e: unknown) => e);
    expect(scope.isDone()).toBe(true);
    const failure = describeFailure(error);
    expect(failure.code).toBe("github_rate_limited");
    expect(failure.message).toContain("secondary rate limit");
    expect(failure.message).toContain(`${SECONDARY_LIMIT_RETRIES} retries`);
    expect(failure.message).not.toContain("lack a permission");
  }, 60_000);
});
