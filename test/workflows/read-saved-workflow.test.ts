import nock from "nock";
import { describe, expect, it } from "vitest";
import { InvalidWorkflowNameError, UnreadableWorkflowError } from "../../src/workflows/errors.js";
import { checkWorkflowName, readSavedWorkflow } from "../../src/workflows/read-saved-workflow.js";
import { API, GHE_API, testOctokit, useNock } from "../github/octokit.js";

useNock();

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const SOURCE = 'export const meta = { name: "migrate", description: "Migrate callers" };\nawait agent("migrate — ünïcode ✓");\n';
const target = { owner: "acme", repo: "storefront", ref: SHA };

function file(path: string, source: string) {
  const content = Buffer.from(source, "utf8").toString("base64").replace(/(.{60})/g, "$1\n");
  return { type: "file", encoding: "base64", size: Buffer.byteLength(source), name: path.split("/").at(-1), path, sha: "b10b", content };
}

describe("readSavedWorkflow", () => {
  it("reads .claude/workflows/<name>.js at the base commit first", async () => {
    const scope = nock(API)
      .get("/repos/acme/storefront/contents/.claude%2Fworkflows%2Fmigrate.js")
      .query({ ref: SHA })
      .reply(200, file(".claude/workflows/migrate.js", SOURCE));
    const workflow = await readSavedWorkflow(testOctokit(), { ...target, name: "migrate" });
    expect(workflow).toEqual({ name: "migrate", path: ".claude/workflows/migrate.js", source: SOURCE, sha: "b10b" });
    expect(scope.isDone()).toBe(true);
  });

  it("falls back to .github/dynflow/workflows/<name>.js, and accepts the name with .js", async () => {
    const scope = nock(GHE_API)
      .get("/repos/acme/storefront/contents/.claude%2Fworkflows%2Faudit.js")
      .query({ ref: SHA })
      .reply(404, { message: "Not Found" })
      .get("/repos/acme/storefront/contents/.github%2Fdynflow%2Fworkflows%2Faudit.js")
      .query({ ref: SHA })
      .reply(200, file(".github/dynflow/workflows/audit.js", SOURCE));
    const workflow = await readSavedWorkflow(testOctokit(GHE_API), { ...target, name: "audit.js" });
    expect(workflow?.path).toBe(".github/dynflow/workflows/audit.js");
    expect(workflow?.source).toBe(SOURCE);
    expect(scope.isDone()).toBe(true);
  });

  it("resolves null when neither folder has it", async () => {
    const scope = nock(API).get(/\/contents\//).query(true).times(2).reply(404, { message: "Not Found" });
    expect(await readSavedWorkflow(testOctokit(), { ...target, name: "nope" })).toBeNull();
    expect(scope.isDone()).toBe(true);
  });

  it("refuses a directory, a file too large to be a script, and bytes that are not UTF-8", async () => {
    const scope = nock(API)
      .get(/migrate\.js/)
      .query(true)
      .reply(200, [{ type: "file", name: "x.js" }])
      .get(/migrate\.js/)
      .query(true)
      .reply(200, { ...file(".claude/workflows/migrate.js", ""), size: 5_000_000, encoding: "none", content: "" })
      .get(/migrate\.js/)
      .query(true)
      .reply(200, { ...file(".claude/workflows/migrate.js", ""), content: Buffer.from([0xff, 0xfe, 0x00]).toString("base64") });
    for (let i = 0; i < 3; i++) {
      await expect(readSavedWorkflow(testOctokit(), { ...target, name: "migrate" })).rejects.toBeInstanceOf(UnreadableWorkflowError);
    }
    expect(scope.isDone()).toBe(true);
  });

  it("passes other GitHub errors on", async () => {
    nock(API).get(/contents/).query(true).reply(403, { message: "Resource not accessible by integration" });
    await expect(readSavedWorkflow(testOctokit(), { ...target, name: "migrate" })).rejects.toMatchObject({ status: 403 });
  });

  it.each(["../secrets", "a/b", "a..b", ".hidden", "", "x".repeat(101), "name with space", "nested\\name", "%2e%2e"])(
    "refuses the name %j before calling GitHub",
    async (name) => {
      expect(() => checkWorkflowName(name)).toThrow(InvalidWorkflowNameError);
      await expect(readSavedWorkflow(testOctokit(), { ...target, name })).rejects.toBeInstanceOf(InvalidWorkflowNameError);
    },
  );

  it.each([
    ["migrate-fetch", "migrate-fetch"],
    ["nightly_audit.v2", "nightly_audit.v2"],
    ["Release.js", "Release"],
  ])("accepts %j as %j", (name, bare) => {
    expect(checkWorkflowName(name)).toBe(bare);
  });
});
