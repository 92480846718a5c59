/**
 * `GitRepository.layerBetween`: what differs between two commits, with
 * contents, read through the trees in process; it must list what
 * `git diff-tree -r --no-renames` lists, in the same order.
 */
import { chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import { git, gitRaw, makeRepo, removeDir, testGitEnv } from "./git-fixture.js";

describe("GitRepository.layerBetween", () => {
  let dir: string;
  let base: string;
  let head: string;
  let repository: GitRepository;

  beforeAll(async () => {
    const repo = await makeRepo({
      "a.txt": "alpha\n",
      "old.txt": "gone soon\n",
      "tools/run.sh": "#!/bin/sh\n",
      "becomes-file/x.txt": "x\n",
      "becomes-dir": "a file first\n",
      "deep/er/still.md": "deep\n",
      "z.txt": "last\n",
    });
    dir = repo.dir;
    base = repo.head;
    await writeFile(join(dir, "a.txt"), "alpha, changed\n");
    await rm(join(dir, "old.txt"));
    await chmod(join(dir, "tools/run.sh"), 0o755);
    await rm(join(dir, "becomes-file"), { recursive: true });
    await writeFile(join(dir, "becomes-file"), "now a file\n");
    await rm(join(dir, "becomes-dir"));
    await mkdir(join(dir, "becomes-dir"));
    await writeFile(join(dir, "becomes-dir/inside.txt"), "inside\n");
    await writeFile(join(dir, "deep/er/new.md"), "new\n");
    await symlink("a.txt", join(dir, "link.txt"));
    await git(dir, "add", "-A");
    await git(dir, "update-index", "--add", "--cacheinfo", `160000,${base},vendor/lib`);
    await git(dir, "commit", "-q", "-m", "changes");
    head = await git(dir, "rev-parse", "HEAD");
    repository = await openRepository(dir, { env: testGitEnv() });
  });
  afterAll(async () => {
    await repository?.close();
    await removeDir(dir);
  });

  it("lists what diff-tree lists, in its order, with each file's bytes and kind; submodules left out", async () => {
    const fields = (await gitRaw(dir, "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", base, head)).split("\0");
    const expected = [];
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const [, mode = "", , oid = "", status = ""] = (fields[i] as string).slice(1).split(" ");
      if (mode === "160000") continue;
      const deleted = status === "D";
      expected.push({
        path: fields[i + 1],
        content: deleted ? null : await gitRaw(dir, "cat-file", "blob", oid),
        executable: mode === "100755",
        symlink: mode === "120000",
      });
    }
    expect(expected.map((e) => e.path)).toEqual([
      "a.txt",
      "becomes-dir",
      "becomes-dir/inside.txt",
      "becomes-file",
      "becomes-file/x.txt",
      "deep/er/new.md",
      "link.txt",
      "old.txt",
      "tools/run.sh",
    ]);
    const layer = await repository.layerBetween(base, head);
    expect(layer.map((f) => ({ ...f, content: f.content === null ? null : f.content.toString("utf8") }))).toEqual(expected);
    expect(await repository.layerBetween(head, "HEAD")).toEqual([]);
  });
});
