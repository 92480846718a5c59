import { readFileSync } from "node:fs";
import nock from "nock";
import pino from "pino";
import { Context } from "probot";
import { describe, expect, it } from "vitest";
import { loadRepoConfig } from "../../src/config/load-repo-config.js";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.js";
import { API, GHE_API, testOctokit, useNock } from "../github/octokit.js";

const payload = JSON.parse(readFileSync(new URL("../fixtures/issue_comment.created.run.json", import.meta.url), "utf8")) as never;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/config/${name}`, import.meta.url), "utf8");
const repoFile = "/repos/acme/widgets/contents/.github%2Fdynflow.yml";
const orgFile = "/repos/acme/.github/contents/.github%2Fdynflow.yml";
/** What GitHub answers a raw-media-type contents request with. */
const RAW = { "content-type": "text/plain; charset=utf-8" };

function context(baseUrl = API): Context<"issue_comment"> {
  return new Context({ id: "delivery-1", name: "issue_comment", payload }, testOctokit(baseUrl) as never, pino({ level: "silent" }));
}

describe("loadRepoConfig", () => {
  useNock();

  it("reads and validates .github/dynflow.yml", async () => {
    const scope = nock(API).get(repoFile).reply(200, fixture("valid.yml"), RAW);
    const result = await loadRepoConfig(context());
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.caps.maxConcurrency).toBe(32);
    expect(scope.isDone()).toBe(true);
  });

  it("uses the defaults when neither the repository nor the owner's .github repository has the file", async () => {
    const scope = nock(API).get(repoFile).reply(404, { message: "Not Found" }).get(orgFile).reply(404, { message: "Not Found" });
    expect(await loadRepoConfig(context())).toEqual({ ok: true, config: DEFAULT_REPO_CONFIG });
    expect(scope.isDone()).toBe(true);
  });

  it("falls back to the owner's .github repository", async () => {
    const scope = nock(API)
      .get(repoFile)
      .reply(404, { message: "Not Found" })
      .get(orgFile)
      .reply(200, "rounds: 5\n", RAW);
    const result = await loadRepoConfig(context());
    expect(result.ok && result.config.rounds).toBe(5);
    expect(scope.isDone()).toBe(true);
  });

  it("lists every validation problem", async () => {
    const scope = nock(API).get(repoFile).reply(200, fixture("invalid-caps.yml"), RAW);
    const result = await loadRepoConfig(context());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((error) => error.path)).toHaveLength(5);
    expect(scope.isDone()).toBe(true);
  });

  it("turns invalid YAML into a problem of the file, with its line", async () => {
    const scope = nock(API).get(repoFile).reply(200, fixture("bad-yaml.yml"), RAW);
    const result = await loadRepoConfig(context());
    expect(result).toEqual({ ok: false, errors: [{ path: "", message: expect.stringMatching(/^is not valid YAML: .*line 2/) }] });
    expect(scope.isDone()).toBe(true);
  });

  it("reports a file that is not a mapping", async () => {
    const scope = nock(API).get(repoFile).reply(200, "just a sentence\n", RAW);
    const result = await loadRepoConfig(context());
    expect(result).toEqual({ ok: false, errors: [{ path: "", message: expect.stringContaining("could not be read as settings") }] });
    expect(scope.isDone()).toBe(true);
  });

  it("rethrows GitHub failures rather than calling them config problems", async () => {
    const scope = nock(API).get(repoFile).reply(500, { message: "Server Error" });
    await expect(loadRepoConfig(context())).rejects.toMatchObject({ status: 500 });
    expect(scope.isDone()).toBe(true);
  });

  it("reads from GitHub Enterprise Server through the client's API root", async () => {
    const scope = nock(GHE_API).get(repoFile).reply(200, "enabled: false\n", RAW);
    const result = await loadRepoConfig(context(GHE_API));
    expect(result.ok && result.config.enabled).toBe(false);
    expect(scope.isDone()).toBe(true);
  });
});
