/**
 * Blobs and trees written without a git process (src/workspace/loose-objects.ts):
 * git reads them back as its own, `git fsck --strict` finds nothing wrong,
 * in SHA-1 and SHA-256 repositories and from a linked worktree, and a tree
 * git would refuse still gets git's own answer.
 */
import { mkdir, readdir, stat, utimes, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GitCommandError } from "../../src/workspace/errors.js";
import { GitStore } from "../../src/workspace/git-store.js";
import { LooseObjectWriter } from "../../src/workspace/loose-objects.js";
import { openRepository } from "../../src/workspace/open-repository.js";
import { git, gitRaw, makeRepo, removeDir, show, tempDir, testGitEnv } from "./git-fixture.js";

const AUTHOR = { name: "W", email: "w@example.com" };
const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

/** Every file under the object directory's fan-out folders (loose objects and anything left beside them). */
async function looseFiles(objectsDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const fan of await readdir(objectsDir)) {
    if (!/^[0-9a-f]{2}$/.test(fan)) continue;
    for (const name of await readdir(join(objectsDir, fan))) found.push(`${fan}/${name}`);
  }
  return found;
}

async function commitThroughWorkspace(path: string): Promise<string> {
  const repository = await openRepository(path, { env: testGitEnv() });
  try {
    const ws = await repository.fork({ runId: "loose", slug: "w", baseCommit: "HEAD" });
    await ws.write("src/deep/new/file.txt", "new file\n");
    await ws.write("README.md", "changed\n");
    await ws.write("bin/run.sh", "#!/bin/sh\necho changed\n");
    const change = await ws.commit({ message: "loose objects", author: AUTHOR });
    return change!.commit;
  } finally {
    await repository.close();
  }
}

describe("loose objects written in process", () => {
  it.each(["sha1", "sha256"])("are objects git reads as its own, and fsck --strict accepts, in a %s repository", async (format) => {
    const dir = await tempDir();
    dirs.push(dir);
    await git(dir, "init", "-q", "-b", "main", `--object-format=${format}`);
    await git(dir, "commit", "-q", "--allow-empty", "-m", "empty");
    await gitRaw(dir, "config", "core.fileMode", "true");
    const before = new Set(await looseFiles(join(dir, ".git", "objects")));

    const commit = await commitThroughWorkspace(dir);

    expect(await show(dir, commit, "src/deep/new/file.txt")).toBe("new file\n");
    expect(await show(dir, commit, "README.md")).toBe("changed\n");
    expect(await git(dir, "ls-tree", "-r", "--name-only", commit)).toBe("README.md\nbin/run.sh\nsrc/deep/new/file.txt");
    await git(dir, "fsck", "--strict", "--no-dangling", "--no-progress");
    const written = (await looseFiles(join(dir, ".git", "objects"))).filter((f) => !before.has(f));
    // Three blobs, five trees (the root, src, src/deep, src/deep/new, bin) and the commit; nothing else left behind.
    expect(written.every((f) => /^[0-9a-f]{2}\/[0-9a-f]+$/.test(f))).toBe(true);
    expect(written).toHaveLength(3 + 5 + 1);
    const mode = (await stat(join(dir, ".git", "objects", written[0] as string))).mode & 0o777;
    expect(mode & 0o222).toBe(0);
  });

  it("are the trees git writes for the same files, in git's order, names outside ASCII included", async () => {
    const files: Record<string, string> = { "a/x.txt": "1\n", "a.b": "2\n", "a-b": "3\n", "é/x.txt": "4\n", "z.txt": "5\n", "日本.txt": "6\n", "e/f/g.txt": "7\n" };
    const repo = await makeRepo({ "keep.txt": "keep\n" });
    dirs.push(repo.dir);
    const repository = await openRepository(repo.dir, { env: testGitEnv() });
    let commit: string;
    try {
      const ws = await repository.fork({ runId: "order", slug: "w", baseCommit: "HEAD" });
      for (const [path, content] of Object.entries(files)) await ws.write(path, content);
      commit = (await ws.commit({ message: "order", author: AUTHOR }))!.commit;
    } finally {
      await repository.close();
    }
    // Git's own tree of the same files, through its index.
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(repo.dir, path)), { recursive: true });
      await writeFile(join(repo.dir, path), content);
    }
    await git(repo.dir, "add", "-A");
    expect(await git(repo.dir, "rev-parse", `${commit}^{tree}`)).toBe(await git(repo.dir, "write-tree"));
    await git(repo.dir, "fsck", "--strict", "--no-dangling", "--no-progress");
  });

  it("go to the main repository's object directory from a linked worktree", async () => {
    const repo = await makeRepo({ "README.md": "hello\n" });
    dirs.push(repo.dir);
    const worktree = `${repo.dir}-linked`;
    dirs.push(worktree);
    await git(repo.dir, "worktree", "add", "-q", "-b", "linked", worktree);

    const commit = await commitThroughWorkspace(worktree);

    // Read from the main repository itself: the objects are in its object directory.
    expect(await show(repo.dir, commit, "src/deep/new/file.txt")).toBe("new file\n");
    await git(repo.dir, "fsck", "--strict", "--no-dangling", "--no-progress");
  });

  it("write each object once with git's id, however many ask at once", async () => {
    const repo = await makeRepo({ "README.md": "hello\n" });
    dirs.push(repo.dir);
    const objectsDir = join(repo.dir, ".git", "objects");
    const writer = new LooseObjectWriter(objectsDir, 20);
    const content = Buffer.from("the same content\n");
    const before = await looseFiles(objectsDir);
    const ids = await Promise.all(Array.from({ length: 8 }, () => writer.write("blob", content)));
    await writeFile(join(repo.dir, "same.txt"), content);
    expect(new Set(ids)).toEqual(new Set([await git(repo.dir, "hash-object", "--no-filters", "same.txt")]));
    expect(await git(repo.dir, "cat-file", "-p", ids[0] as string)).toBe("the same content");
    // One new file, the object itself: no second copy, no temporary file left.
    expect((await looseFiles(objectsDir)).filter((f) => !before.includes(f))).toEqual([`${ids[0]!.slice(0, 2)}/${ids[0]!.slice(2)}`]);
  });

  it("leave an object already stored as it is, only marked as just written", async () => {
    const repo = await makeRepo({ "README.md": "hello\n" });
    dirs.push(repo.dir);
    const objectsDir = join(repo.dir, ".git", "objects");
    const content = Buffer.from("stored before\n");
    const id = await new LooseObjectWriter(objectsDir, 20).write("blob", content);
    const path = join(objectsDir, id.slice(0, 2), id.slice(2));
    const old = new Date(Date.now() - 3_600_000);
    await utimes(path, old, old);
    const before = await stat(path);

    expect(await new LooseObjectWriter(objectsDir, 20).write("blob", content)).toBe(id);
    const after = await stat(path);
    // The same file (not a new one renamed over it), freshened as git freshens, and nothing left beside it.
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBeGreaterThan(before.mtimeMs + 3_000_000);
    expect((await readdir(join(objectsDir, id.slice(0, 2)))).filter((name) => name.startsWith("tmp_"))).toEqual([]);
    expect(await git(repo.dir, "cat-file", "-p", id)).toBe("stored before");
  });

  it("are stored once an hour by the same writer: an object it stored a moment ago is neither written nor freshened again", async () => {
    const repo = await makeRepo({ "README.md": "hello\n" });
    dirs.push(repo.dir);
    const objectsDir = join(repo.dir, ".git", "objects");
    const writer = new LooseObjectWriter(objectsDir, 20);
    const content = Buffer.from("stored a moment ago\n");
    const id = await writer.write("blob", content);
    const path = join(objectsDir, id.slice(0, 2), id.slice(2));
    // Whole seconds: the filesystem keeps what it is given, the reading of it is a float.
    const marked = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    await utimes(path, marked, marked);
    expect(await writer.write("blob", content)).toBe(id);
    expect(Math.round((await stat(path)).mtimeMs)).toBe(marked.getTime());
    // Another writer (another process) does not know it: it freshens it.
    expect(await new LooseObjectWriter(objectsDir, 20).write("blob", content)).toBe(id);
    expect((await stat(path)).mtimeMs).toBeGreaterThan(marked.getTime() + 30_000);
  });

  it("leave a tree git would refuse to git, which says why", async () => {
    const repo = await makeRepo({ "README.md": "hello\n" });
    dirs.push(repo.dir);
    const store = await GitStore.open(repo.dir, { env: testGitEnv(), token: undefined, log: undefined, listingCacheSize: 4 });
    try {
      const blob = await store.writeBlob(Buffer.from("x\n"));
      const refused = [{ name: "a/b", mode: "100644", oid: blob }];
      // Its id asked for first, as a directory being written asks, changes nothing.
      store.treeId(refused);
      await expect(store.makeTree(refused)).rejects.toBeInstanceOf(GitCommandError);
      const tree = await store.makeTree([{ name: "b", mode: "100644", oid: blob }]);
      expect(await git(repo.dir, "ls-tree", tree)).toBe(`100644 blob ${blob}\tb`);
    } finally {
      await store.close();
    }
  });
});
