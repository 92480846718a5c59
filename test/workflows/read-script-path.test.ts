import nock from "nock";
import { describe, expect, it } from "vitest";
import { WorkflowLoadError } from "../../src/runtime/errors.js";
import { checkScriptPath, githubScriptPath } from "../../src/workflows/read-script-path.js";
import { createRunWorkflowResolver } from "../../src/workflows/resolve-run-workflow.js";
import { githubWorkflowFiles } from "../../src/workflows/workflow-files.js";
import { API, testOctokit, useNock } from "../github/octokit.js";

useNock();

const SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const SOURCE = 'export const meta = { name: "inner", description: "d" };\nreturn 1;\n';
const file = (path: string, text: string) => ({ type: "file", encoding: "base64", size: text.length, path, sha: "b10b", content: Buffer.from(text).toString("base64") });

describe("workflow({ scriptPath }) on GitHub", () => {
  it("reads the repository path at the trusted ref through the run's resolver", async () => {
    const scope = nock(API).get("/repos/acme/shop/contents/tools%2Fflows%2Finner.js").query({ ref: "main" }).reply(200, file("tools/flows/inner.js", SOURCE));
    const github = testOctokit();
    const resolve = createRunWorkflowResolver(githubWorkflowFiles(github, { owner: "acme", repo: "shop", ref: SHA }), {
      scriptPath: githubScriptPath(github, { owner: "acme", repo: "shop", ref: "main" }),
    });
    expect(await resolve({ scriptPath: "./tools/flows/inner.js" })).toEqual({ source: SOURCE, filename: "tools/flows/inner.js" });
    expect(scope.isDone()).toBe(true);
  });

  it("refuses paths that leave the repository, and says when the file is not there", async () => {
    for (const path of ["../other/x.js", "/etc/passwd", "a/../../x.js", ".git/config", "C:\\x.js"]) {
      expect(() => checkScriptPath(path), path).toThrow(WorkflowLoadError);
    }
    nock(API).get("/repos/acme/shop/contents/missing.js").query({ ref: SHA }).reply(404, { message: "Not Found" });
    await expect(githubScriptPath(testOctokit(), { owner: "acme", repo: "shop", ref: SHA })("missing.js")).rejects.toThrow(
      `workflow({ scriptPath: "missing.js" }): there is no file missing.js in acme/shop at ${SHA.slice(0, 12)}`,
    );
  });

  it("is refused by a resolver that was given no trusted ref", async () => {
    const resolve = createRunWorkflowResolver(githubWorkflowFiles(testOctokit(), { owner: "acme", repo: "shop", ref: SHA }));
    await expect(resolve({ scriptPath: "x.js" })).rejects.toBeInstanceOf(WorkflowLoadError);
  });
});
