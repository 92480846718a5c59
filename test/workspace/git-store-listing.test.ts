/**
 * The listing of a commit: read in process through its trees, or for a
 * commit made elsewhere (another process's change) on a base this store has
 * listed, derived from the base's listing and the trees that differ; either
 * way exactly as `ls-tree` would list it, without one.
 */
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GitStore } from "../../src/workspace/git-store.js";
import { parseLsTree } from "../../src/workspace/tree-listing.js";
import { git, gitRaw, loggingGit, makeRepo, removeDir } from "./git-fixture.js";

const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

describe("GitStore.listing", () => {
  it("is the parent's with what changed, entry for entry as ls-tree lists it, and starts no ls-tree", async () => {
    const repo = await makeRepo({ "keep.txt": "k\n", "edit.txt": "e\n", "gone.txt": "g\n", "was-file": "f\n", "dir/inner.txt": "i\n", "dir/deep/x.txt": "x\n" });
    dirs.push(repo.dir);
    const { env, calls, dir } = await loggingGit();
    dirs.push(dir);
    const store = await GitStore.open(repo.dir, { env, token: undefined, log: undefined, listingCacheSize: 4 });
    try {
      await store.listing(repo.head);
      // Another process commits on that base: an edit, deletions, a file that becomes a directory, an executable and a symlink.
      await writeFile(join(repo.dir, "edit.txt"), "edited\n");
      await git(repo.dir, "rm", "-q", "gone.txt", "was-file");
      await git(repo.dir, "rm", "-q", "-r", "dir/deep");
      await mkdir(join(repo.dir, "was-file"));
      await writeFile(join(repo.dir, "was-file", "now-dir.txt"), "d\n");
      await writeFile(join(repo.dir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
      await symlink("keep.txt", join(repo.dir, "link"));
      await git(repo.dir, "add", "-A");
      await git(repo.dir, "commit", "-q", "-m", "elsewhere");
      const child = await git(repo.dir, "rev-parse", "HEAD");
      const before = (await calls()).length;

      const listing = await store.listing(child);

      expect((await calls()).slice(before).filter((call) => call.startsWith("ls-tree"))).toEqual([]);
      const expected = parseLsTree(child, Buffer.from(await gitRaw(repo.dir, "ls-tree", "-r", "-z", "--full-tree", child)));
      expect(listing.paths).toEqual(expected.paths);
      expect(listing.files).toEqual(["dir/inner.txt", "edit.txt", "keep.txt", "link", "run.sh", "was-file/now-dir.txt"]);
      for (const path of expected.paths) expect(listing.get(path)).toEqual(expected.get(path));
    } finally {
      await store.close();
    }
  });

  it("is read through its trees when the parent was not listed here: entry for entry as ls-tree lists it, and no ls-tree", async () => {
    const repo = await makeRepo({ "a.txt": "a\n", "a b/c d.txt": "spaces\n", "été/ü.md": "unicode\n", "x.js": "x\n", "x/y/z.txt": "deep\n", "x-y.txt": "dash\n" });
    dirs.push(repo.dir);
    await writeFile(join(repo.dir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    await symlink("a.txt", join(repo.dir, "link"));
    await git(repo.dir, "add", "-A");
    // A submodule: a gitlink entry, listed like a file by ls-tree -r.
    await git(repo.dir, "update-index", "--add", "--cacheinfo", `160000,${repo.head},vendor/lib`);
    await git(repo.dir, "commit", "-q", "-m", "second");
    const child = await git(repo.dir, "rev-parse", "HEAD");
    const { env, calls, dir } = await loggingGit();
    dirs.push(dir);
    const store = await GitStore.open(repo.dir, { env, token: undefined, log: undefined, listingCacheSize: 4 });
    try {
      const listing = await store.listing(child);
      const expected = parseLsTree(child, Buffer.from(await gitRaw(repo.dir, "ls-tree", "-r", "-z", "--full-tree", child)));
      expect(listing.paths).toEqual(expected.paths);
      expect(listing.paths).toContain("vendor/lib");
      expect(listing.files).toEqual(expected.files);
      for (const path of expected.paths) expect(listing.get(path)).toEqual(expected.get(path));
      expect((await calls()).filter((call) => call.startsWith("ls-tree"))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("leaves to ls-tree a commit whose trees cannot be read, and fails with git's error", async () => {
    const repo = await makeRepo({ "a.txt": "a\n" });
    dirs.push(repo.dir);
    const { env, calls, dir } = await loggingGit();
    dirs.push(dir);
    const store = await GitStore.open(repo.dir, { env, token: undefined, log: undefined, listingCacheSize: 4 });
    try {
      // The blob's id in place of a commit's: there is no tree to walk.
      const blob = await git(repo.dir, "rev-parse", "HEAD:a.txt");
      await expect(store.listing(blob)).rejects.toThrow(/ls-tree/);
      expect((await calls()).filter((call) => call.startsWith("ls-tree"))).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
