/**
 * What is at a path of a commit, read through the trees on its way
 * (`GitRepository.entryAt`), without listing the whole commit.
 */
import { chmod } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import { git, makeRepo, removeDir, testGitEnv } from "./git-fixture.js";

describe("GitRepository.entryAt", () => {
  let dir: string;
  let head: string;
  let repository: GitRepository;

  beforeAll(async () => {
    const repo = await makeRepo({ "a.txt": "alpha\n", "tools/run.sh": "#!/bin/sh\n", "deep/er/still/file.md": "deep\n" }, { "link.txt": "a.txt" });
    dir = repo.dir;
    await chmod(join(dir, "tools/run.sh"), 0o755);
    await git(dir, "add", "-A");
    // A submodule: a gitlink entry, as `git submodule add` records it.
    await git(dir, "update-index", "--add", "--cacheinfo", `160000,${repo.head},vendor/lib`);
    await git(dir, "commit", "-q", "-m", "more");
    head = await git(dir, "rev-parse", "HEAD");
    repository = await openRepository(dir, { env: testGitEnv() });
  });
  afterAll(async () => {
    await repository?.close();
    await removeDir(dir);
  });

  it("tells files, executables, links, submodules and directories apart, with git's modes and ids", async () => {
    const blob = (path: string) => git(dir, "rev-parse", `${head}:${path}`);
    expect(await repository.entryAt(head, "a.txt")).toEqual({ kind: "file", mode: "100644", oid: await blob("a.txt") });
    expect(await repository.entryAt(head, "tools/run.sh")).toEqual({ kind: "file", mode: "100755", oid: await blob("tools/run.sh") });
    expect(await repository.entryAt(head, "link.txt")).toEqual({ kind: "symlink", mode: "120000", oid: await blob("link.txt") });
    expect(await repository.entryAt(head, "vendor/lib")).toMatchObject({ kind: "submodule", mode: "160000" });
    expect(await repository.entryAt(head, "deep/er")).toEqual({ kind: "directory", mode: "40000", oid: await blob("deep/er") });
    expect((await repository.readObject((await repository.entryAt(head, "deep/er/still/file.md"))!.oid)).toString("utf8")).toBe("deep\n");
  });

  it("finds nothing where nothing is: a missing name, a path through a file or a submodule, an empty or dotted part", async () => {
    for (const path of ["missing.txt", "deep/missing", "a.txt/inside", "vendor/lib/x", "link.txt/x", "", "deep//er", "./a.txt", "deep/../a.txt", "/a.txt", "deep/er/"]) {
      expect(await repository.entryAt(head, path), path).toBeNull();
    }
  });

  it("reads any commit, by name too", async () => {
    const first = await git(dir, "rev-parse", "HEAD~1");
    expect(await repository.entryAt(first, "vendor/lib")).toBeNull();
    expect(await repository.entryAt("HEAD", "vendor/lib")).toMatchObject({ kind: "submodule" });
  });
});
