import nock from "nock";
import { describe, expect, it } from "vitest";
import { definitionsOnGitHub } from "../../src/agent-setup/github-definitions.js";
import { createAgentTypeLoader } from "../../src/agent-setup/load-agent-types.js";
import { API, testOctokit, useNock } from "../github/octokit.js";

useNock();

const where = { owner: "acme", repo: "storefront", ref: "main" };
const file = (path: string, text: string) => ({ type: "file", encoding: "base64", size: text.length, path, sha: "b10b", content: Buffer.from(text).toString("base64") });
const dirEntry = (path: string, type: "file" | "dir") => ({ type, path, name: path.split("/").at(-1) });

describe("agent definitions on GitHub", () => {
  it("reads .claude/agents/<name>.md from the base repository at the trusted ref", async () => {
    const scope = nock(API)
      .get("/repos/acme/storefront/contents/.claude%2Fagents%2Freviewer.md")
      .query({ ref: "main" })
      .reply(200, file(".claude/agents/reviewer.md", "---\nname: reviewer\ndescription: d\nmodel: sonnet\n---\nYou review.\n"));
    const load = createAgentTypeLoader(definitionsOnGitHub(testOctokit(), where));
    expect(await load("reviewer")).toMatchObject({ ok: true, definition: { model: "sonnet", prompt: "You review.", source: ".claude/agents/reviewer.md" } });
    expect(scope.isDone()).toBe(true);
  });

  it("finds a type by its name: in nested folders, and names the ref when there is none", async () => {
    const scope = nock(API)
      .get("/repos/acme/storefront/contents/.claude%2Fagents%2Fauditor.md")
      .query({ ref: "main" })
      .reply(404, { message: "Not Found" })
      .get("/repos/acme/storefront/contents/.claude%2Fagents")
      .query({ ref: "main" })
      .reply(200, [dirEntry(".claude/agents/review", "dir"), dirEntry(".claude/agents/README.txt", "file")])
      .get("/repos/acme/storefront/contents/.claude%2Fagents%2Freview")
      .query({ ref: "main" })
      .reply(200, [dirEntry(".claude/agents/review/audit.md", "file")])
      .get("/repos/acme/storefront/contents/.claude%2Fagents%2Freview%2Faudit.md")
      .query({ ref: "main" })
      .times(2)
      .reply(200, file(".claude/agents/review/audit.md", "---\nname: auditor\ndescription: d\n---\nAudit.\n"))
      .get("/repos/acme/storefront/contents/.claude%2Fagents%2Fghost.md")
      .query({ ref: "main" })
      .reply(404, { message: "Not Found" });
    const load = createAgentTypeLoader(definitionsOnGitHub(testOctokit(), where));
    expect(await load("auditor")).toMatchObject({ ok: true, definition: { source: ".claude/agents/review/audit.md" } });
    expect(await load("ghost")).toMatchObject({ ok: false, error: expect.stringContaining("looked for .claude/agents/ghost.md") });
    expect(await load("ghost")).toMatchObject({ ok: false, error: expect.stringContaining("at acme/storefront at main") });
    expect(scope.isDone()).toBe(true);
  });
});
