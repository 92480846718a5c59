import nock from "nock";
import { describe, expect, it } from "vitest";
import { VERBS } from "../../src/commands/usage.js";
import { checkPermission, isBot, renderPermissionRefusal, requiresWriteAccess } from "../../src/github/check-permission.js";
import { GHE_API, testOctokit, useNock } from "./octokit.js";

const target = { owner: "acme", repo: "widgets", username: "octocat" };
const path = "/repos/acme/widgets/collaborators/octocat/permission";

describe("checkPermission", () => {
  useNock();

  it.each([
    ["admin", "admin", true],
    ["write", "maintain", true],
    ["write", "write", true],
    ["write", "release-manager", true],
    ["read", "triage", false],
    ["read", "read", false],
    ["none", "none", false],
  ])("permission %s with role %s → allowed %s", async (permission, roleName, allowed) => {
    const scope = nock("https://api.github.com")
      .get(path)
      .matchHeader("authorization", /^token ghs_/)
      .reply(200, { permission, role_name: roleName, user: { login: "octocat" } });
    const result = await checkPermission(testOctokit(), target);
    expect(result).toEqual({ allowed, permission, roleName });
    expect(scope.isDone()).toBe(true);
  });

  it("trusts role_name when the legacy permission is lower", async () => {
    const scope = nock("https://api.github.com").get(path).reply(200, { permission: "read", role_name: "maintain" });
    expect((await checkPermission(testOctokit(), target)).allowed).toBe(true);
    expect(scope.isDone()).toBe(true);
  });

  it("refuses a user GitHub does not know for the repository", async () => {
    const scope = nock("https://api.github.com").get(path).reply(404, { message: "Not Found" });
    expect(await checkPermission(testOctokit(), target)).toEqual({ allowed: false, permission: "none", roleName: null });
    expect(scope.isDone()).toBe(true);
  });

  it("rethrows other failures instead of guessing", async () => {
    const scope = nock("https://api.github.com").get(path).reply(502, { message: "Bad gateway" });
    await expect(checkPermission(testOctokit(), target)).rejects.toMatchObject({ status: 502 });
    expect(scope.isDone()).toBe(true);
  });

  it("uses the client's API root (GitHub Enterprise Server)", async () => {
    const scope = nock(GHE_API).get(path).reply(200, { permission: "admin", role_name: "admin" });
    expect((await checkPermission(testOctokit(GHE_API), target)).allowed).toBe(true);
    expect(scope.isDone()).toBe(true);
  });
});

describe("isBot", () => {
  it("recognises bots by type or login", () => {
    expect(isBot({ login: "dependabot[bot]", type: "Bot" })).toBe(true);
    expect(isBot({ login: "renovate[BOT]" })).toBe(true);
    expect(isBot({ login: "someapp", type: "Bot" })).toBe(true);
    expect(isBot({ login: "octocat", type: "User" })).toBe(false);
    expect(isBot({ login: "botanist", type: "User" })).toBe(false);
  });
});

describe("requiresWriteAccess", () => {
  it("lets everyone read, gates everything that acts", () => {
    expect(VERBS.filter((verb) => !requiresWriteAccess(verb))).toEqual(["status", "help"]);
  });
});

describe("renderPermissionRefusal", () => {
  it("mentions the user and says who can run commands", () => {
    const text = renderPermissionRefusal("octocat");
    expect(text.startsWith("Sorry @octocat, only")).toBe(true);
    expect(text).toContain("**write**, **maintain** or **admin** access");
  });

  it("does not echo a login that cannot be real", () => {
    expect(renderPermissionRefusal("evil <b>")).toMatch(/^Sorry, only people/);
  });
});
