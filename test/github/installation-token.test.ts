import { generateKeyPairSync } from "node:crypto";
import { inspect } from "node:util";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { InstallationTokenError } from "../../src/github/errors.js";
import type { GitHubClient } from "../../src/github/github-client.js";
import { getInstallationToken, GitCredentials } from "../../src/github/installation-token.js";
import { routeAppAuthToBaseUrl, type OctokitOptionsLike } from "../../src/github/route-app-auth.js";
import { API, captureLog, GHE_API, testOctokit, useNock } from "./octokit.js";

useNock();

const NOW = Date.parse("2030-01-01T00:00:00Z");
const clock = { now: () => NOW };
const TOKEN = "ghs_0123456789abcdefghijklmnopqrstuvwxyzAB";
const inMinutes = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

const TestOctokit = ProbotOctokit.defaults((options: OctokitOptionsLike) => ({
  ...routeAppAuthToBaseUrl(options),
  retry: { enabled: false },
  throttle: { enabled: false },
}));

/** An installation's Octokit as Probot hands it to a handler. */
async function installationOctokit(baseUrl = API, Octokit: typeof ProbotOctokit = TestOctokit): Promise<GitHubClient> {
  const probot = new Probot({ appId: 1234, privateKey, baseUrl, Octokit });
  return (await probot.auth(42)) as unknown as GitHubClient;
}

describe("getInstallationToken", () => {
  it("asks for a token scoped to the repository and the permissions given", async () => {
    const scope = nock(API)
      .post("/app/installations/42/access_tokens", { repositories: ["storefront"], permissions: { contents: "write" } })
      .reply(201, { token: TOKEN, expires_at: inMinutes(60), permissions: { contents: "write" }, repository_selection: "selected" });

    const credentials = await getInstallationToken(await installationOctokit(), {
      repositoryNames: ["storefront"],
      permissions: { contents: "write" },
      clock,
    });

    expect(credentials.token).toBe(TOKEN);
    expect(credentials.expiresAt).toBe(inMinutes(60));
    expect(scope.isDone()).toBe(true);
  });

  it("replaces a cached token that would expire during the run", async () => {
    const scope = nock(GHE_API)
      .post("/app/installations/42/access_tokens")
      .reply(201, { token: "ghs_old", expires_at: inMinutes(60) })
      .post("/app/installations/42/access_tokens")
      .reply(201, { token: TOKEN, expires_at: inMinutes(120) });
    const octokit = await installationOctokit(GHE_API);
    await getInstallationToken(octokit, { clock });

    // An hour later the cached token has minutes left.
    const later = { now: () => NOW + 55 * 60_000 };
    const credentials = await getInstallationToken(octokit, { clock: later });

    expect(credentials.token).toBe(TOKEN);
    expect(scope.isDone()).toBe(true);
  });

  it("needs routeAppAuthToBaseUrl on GitHub Enterprise Server: Probot alone asks api.github.com for the token", async () => {
    const github = nock(API).post("/app/installations/42/access_tokens").reply(201, { token: TOKEN, expires_at: inMinutes(60) });
    const plain = ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } });
    await getInstallationToken(await installationOctokit(GHE_API, plain), { clock });
    // When this fails, Probot routes app authentication itself and route-app-auth.ts can go.
    expect(github.isDone()).toBe(true);
  });

  it("never shows the token when logged, serialised or printed", async () => {
    nock(API).post("/app/installations/42/access_tokens").reply(201, { token: TOKEN, expires_at: inMinutes(60) });
    const credentials = await getInstallationToken(await installationOctokit(), { clock });
    const { log, entries } = captureLog();

    log.info({ credentials }, "cloning");
    log.info(credentials, "pushing");

    const shown = [JSON.stringify(credentials), inspect(credentials), String(credentials), `${credentials}`, JSON.stringify(entries), inspect({ credentials })];
    for (const text of shown) expect(text).not.toContain(TOKEN);
    expect(Object.keys(credentials)).not.toContain("token");
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({ token: "[redacted]", expiresAt: inMinutes(60) });
  });

  it("works with a client authenticated by a plain token (no expiry)", async () => {
    const credentials = await getInstallationToken(testOctokit(), { clock });
    expect(credentials).toBeInstanceOf(GitCredentials);
    expect(credentials.token).toBe("ghs_testtoken000000000000000000000000");
    expect(credentials.expiresAt).toBeNull();
  });

  it("throws a typed error, without the token or the app's key, when GitHub refuses", async () => {
    nock(API).post("/app/installations/42/access_tokens").reply(404, { message: "Not Found" });
    const error = await getInstallationToken(await installationOctokit(), { clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstallationTokenError);
    expect(error).toMatchObject({ code: "installation_token_failed", status: 404 });
    expect((error as Error).cause).toBeUndefined();
    expect(inspect(error)).not.toMatch(/BEGIN RSA|bearer /i);
  });
});
