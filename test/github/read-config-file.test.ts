/**
 * Settings read through an installation client with the config plugin's
 * public API read exactly as a webhook's `context.config` reads them: the
 * same requests, the same fallbacks, the same deep merge of `_extends`.
 */
import { readFileSync } from "node:fs";
import nock from "nock";
import pino from "pino";
import { Context } from "probot";
import { describe, expect, it } from "vitest";
import { loadRepoConfig } from "../../src/config/load-repo-config.js";
import { configSourceOf } from "../../src/github/read-config-file.js";
import { API, GHE_API, testOctokit, useNock } from "./octokit.js";

const payload = JSON.parse(readFileSync(new URL("../fixtures/issue_comment.created.run.json", import.meta.url), "utf8")) as never;
const repoFile = "/repos/acme/widgets/contents/.github%2Fdynflow.yml";
const orgFile = "/repos/acme/.github/contents/.github%2Fdynflow.yml";
const RAW = { "content-type": "text/plain; charset=utf-8" };

/** Both ways of reading: a webhook's Probot context, and the client's config plugin through the adapter. */
const readers = {
  "a Probot context": (baseUrl: string) => new Context({ id: "d-1", name: "issue_comment", payload }, testOctokit(baseUrl) as never, pino({ level: "silent" })),
  "configSourceOf": (baseUrl: string) => configSourceOf(testOctokit(baseUrl), "acme", "widgets"),
};

describe.each(Object.entries(readers))("settings read through %s", (_name, reader) => {
  useNock();

  it("deep-merges an `_extends` chain: the extending file overrides single keys of a shared section", async () => {
    const scope = nock(API)
      .get(repoFile)
      .reply(200, "_extends: .github\ncaps:\n  maxAgents: 50\n", RAW)
      .get(orgFile)
      .reply(200, "caps:\n  maxConcurrency: 4\n  maxAgents: 500\nrounds: 5\n", RAW);
    const result = await loadRepoConfig(reader(API));
    expect(result.ok && { caps: result.config.caps, rounds: result.config.rounds }).toMatchObject({ caps: { maxConcurrency: 4, maxAgents: 50 }, rounds: 5 });
    expect(scope.isDone()).toBe(true);
  });

  it("is null (the defaults) when neither the repository nor the owner has the file", async () => {
    const scope = nock(API).get(repoFile).reply(404, { message: "Not Found" }).get(orgFile).reply(404, { message: "Not Found" });
    expect(await reader(API).config("dynflow.yml")).toBeNull();
    expect(scope.isDone()).toBe(true);
  });

  it("reads from GitHub Enterprise Server through the client's API root", async () => {
    const scope = nock(GHE_API).get(repoFile).reply(200, "enabled: false\n", RAW);
    expect(await reader(GHE_API).config("dynflow.yml")).toEqual({ enabled: false });
    expect(scope.isDone()).toBe(true);
  });

  it("rethrows GitHub failures", async () => {
    const scope = nock(API).get(repoFile).reply(500, { message: "Server Error" });
    await expect(reader(API).config("dynflow.yml")).rejects.toMatchObject({ status: 500 });
    expect(scope.isDone()).toBe(true);
  });
});

describe("an `_extends` that points nowhere", () => {
  useNock();

  it("is a config error naming both files, like any other", async () => {
    const scope = nock(API)
      .get(repoFile)
      .reply(200, "_extends: acme/no-such-repo\nrounds: 2\n", RAW)
      .get("/repos/acme/no-such-repo/contents/.github%2Fdynflow.yml")
      .reply(404, { message: "Not Found" });
    const result = await loadRepoConfig(configSourceOf(testOctokit(API), "acme", "widgets"));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      {
        path: "_extends",
        message:
          "`_extends` in `acme/widgets:.github/dynflow.yml` points to `acme/no-such-repo:.github/dynflow.yml`, which does not exist or which this app cannot read: fix the name, or install the app on that repository",
      },
    ]);
    expect(scope.isDone()).toBe(true);
  });

  it("is not mistaken for the owner's `.github` fallback of a repository without the file", async () => {
    const scope = nock(API).get(repoFile).reply(404, { message: "Not Found" }).get(orgFile).reply(200, "rounds: 4\n", RAW);
    expect(await configSourceOf(testOctokit(API), "acme", "widgets").config("dynflow.yml")).toEqual({ rounds: 4 });
    expect(scope.isDone()).toBe(true);
  });
});
