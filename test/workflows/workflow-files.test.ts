/**
 * A local repository's files at a commit, as saved-workflow lookup reads
 * them: tracked files only, folders, links, submodules and absent paths
 * told apart, through the trees on the path (no listing of the commit).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSavedWorkflow } from "../../src/workflows/read-saved-workflow.js";
import { localWorkflowFiles } from "../../src/workflows/workflow-files.js";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { git, makeRepo, removeDir, testGitEnv } from "../workspace/git-fixture.js";

describe("localWorkflowFiles", () => {
  let dir: string;
  let head: string;
  let repository: GitRepository;

  beforeAll(async () => {
    const repo = await makeRepo(
      { ".claude/workflows/fix.js": "export const meta = {};\n", ".github/dynflow/workflows/scan.js/notes.md": "a folder\n" },
      { ".claude/workflows/linked.js": "fix.js" },
    );
    dir = repo.dir;
    // A submodule where a workflow could be: not a file of this repository.
    await git(dir, "update-index", "--add", "--cacheinfo", `160000,${repo.head},.claude/workflows/sub.js`);
    await git(dir, "commit", "-q", "-m", "submodule");
    head = await git(dir, "rev-parse", "HEAD");
    repository = await openRepository(dir, { env: testGitEnv() });
  });
  afterAll(async () => {
    await repository?.close();
    await removeDir(dir);
  });

  it("tells a file, a folder, a link and nothing apart", async () => {
    const files = localWorkflowFiles(repository, head);
    const file = await files.entry(".claude/workflows/fix.js");
    expect(file?.kind).toBe("file");
    expect(file?.kind === "file" && (await file.bytes()).toString("utf8")).toBe("export const meta = {};\n");
    expect(await files.entry(".github/dynflow/workflows/scan.js")).toEqual({ kind: "other" });
    expect(await files.entry(".claude/workflows/linked.js")).toEqual({ kind: "other" });
    expect(await files.entry(".claude/workflows/none.js")).toBeNull();
    expect(await files.entry(".claude/workflows/sub.js")).toBeNull();
    expect(await files.entry(".claude/workflows/fix.js/x")).toBeNull();
  });

  it("gives findSavedWorkflow what it needs to apply the app's rules", async () => {
    const files = localWorkflowFiles(repository, head);
    expect(await findSavedWorkflow(files, "fix.js")).toEqual({ name: "fix", path: ".claude/workflows/fix.js", source: "export const meta = {};\n" });
    await expect(findSavedWorkflow(files, "linked")).rejects.toThrow("saved workflow .claude/workflows/linked.js cannot be used: it is not a regular file");
    await expect(findSavedWorkflow(files, "scan")).rejects.toThrow("saved workflow .github/dynflow/workflows/scan.js cannot be used");
    await expect(findSavedWorkflow(files, "../fix")).rejects.toThrow(/is not valid/);
    expect(await findSavedWorkflow(files, "missing")).toBeNull();
  });
});
