/**
 * What the run stories ask GitHub before a run: its base, and the identity
 * its commits are by. Against GitHub.com and GitHub Enterprise Server.
 */
import nock from "nock";
import { describe, expect, it } from "vitest";
import { botIdentityOf, createBotIdentityResolver } from "../../../src/app/services/bot-identity.js";
import { resolveBase } from "../../../src/app/commands/resolve-base.js";
import { API, GHE_API, testOctokit, useNock } from "../../github/octokit.js";

useNock();

const where = { owner: "acme", repo: "widgets", issueNumber: 42, defaultBranch: "main" };
const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("resolveBase", () => {
  it("starts an issue's run from the default branch's head, and targets that branch", async () => {
    const scope = nock(API).get("/repos/acme/widgets/branches/main").reply(200, { name: "main", commit: { sha: SHA } });
    expect(await resolveBase(testOctokit(), { ...where, isPullRequest: false })).toEqual({ ref: "main", sha: SHA, trustedRef: SHA });
    expect(scope.isDone()).toBe(true);
  });

  it("starts a pull request's run from its head commit and stacks on its branch", async () => {
    const scope = nock(GHE_API)
      .get("/repos/acme/widgets/pulls/42")
      .reply(200, { number: 42, head: { ref: "feature/client", sha: SHA, repo: { full_name: "acme/widgets" } }, base: { ref: "main", sha: "b".repeat(40) } });
    expect(await resolveBase(testOctokit(GHE_API), { ...where, isPullRequest: true })).toEqual({ ref: "feature/client", sha: SHA, trustedRef: SHA });
    expect(scope.isDone()).toBe(true);
  });

  it("targets a fork's pull request's base branch, and trusts only the default branch's agent definitions and scripts", async () => {
    const scope = nock(API)
      .get("/repos/acme/widgets/pulls/42")
      .reply(200, { number: 42, head: { ref: "patch-1", sha: SHA, repo: { full_name: "someone/widgets" } }, base: { ref: "main", sha: "b".repeat(40) } })
      // What steers the run's agents is read from the base repository's default branch, at its head.
      .get("/repos/acme/widgets/branches/main")
      .reply(200, { name: "main", commit: { sha: "c".repeat(40) } });
    // The fork's commit is what the run works on.
    expect(await resolveBase(testOctokit(), { ...where, isPullRequest: true })).toEqual({
      ref: "main",
      sha: SHA,
      trustedRef: "c".repeat(40),
      fork: { fullName: "someone/widgets" },
    });
    expect(scope.isDone()).toBe(true);
  });
});

describe("bot identity", () => {
  it("is the bot's login with its user id in GitHub's noreply address", () => {
    expect(botIdentityOf("dynflow-app", 4242, "github.com")).toEqual({ name: "dynflow-app[bot]", email: "4242+dynflow-app[bot]@users.noreply.github.com" });
    expect(botIdentityOf("dynflow", null, "ghe.acme.test")).toEqual({ name: "dynflow[bot]", email: "dynflow[bot]@users.noreply.ghe.acme.test" });
  });

  it("asks GitHub for the bot's user id once", async () => {
    const scope = nock(GHE_API).get("/users/dynflow-app%5Bbot%5D").once().reply(200, { login: "dynflow-app[bot]", id: 31337, type: "Bot" });
    const resolve = createBotIdentityResolver({ appSlug: async () => "dynflow-app", host: "ghe.acme.test" });
    const github = testOctokit(GHE_API);
    const expected = { name: "dynflow-app[bot]", email: "31337+dynflow-app[bot]@users.noreply.ghe.acme.test" };
    expect(await resolve(github)).toEqual(expected);
    expect(await resolve(github)).toEqual(expected);
    expect(scope.isDone()).toBe(true);
  });

  it("goes on without the user id when the lookup fails, and asks again next time", async () => {
    const scope = nock(API).get("/users/dynflow-app%5Bbot%5D").reply(500, { message: "boom" }).get("/users/dynflow-app%5Bbot%5D").reply(200, { id: 7 });
    const resolve = createBotIdentityResolver({ appSlug: async () => "dynflow-app", host: "github.com" });
    expect((await resolve(testOctokit())).email).toBe("dynflow-app[bot]@users.noreply.github.com");
    expect((await resolve(testOctokit())).email).toBe("7+dynflow-app[bot]@users.noreply.github.com");
    expect(scope.isDone()).toBe(true);
  });

  it("falls back to dynflow's own identity while the slug is unknown", async () => {
    const resolve = createBotIdentityResolver({ appSlug: async () => undefined, host: "github.com" });
    expect(await resolve(testOctokit())).toEqual({ name: "dynflow", email: "dynflow@users.noreply.github.com" });
  });
});
