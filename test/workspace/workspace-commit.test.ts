import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import { git, makeRepo, removeDir, show, testGitEnv, type FixtureRepo } from "./git-fixture.js";

const AUTHOR = { name: "Worker One", email: "worker@example.com" };
const FILES = {
  "shared.ts": "line 1\nline 2\nline 3\n",
  "lib/deep/nested/leaf.ts": "leaf\n",
  "lib/deep/other.ts": "other\n",
  "gone/only.txt": "only file here\n",
  "bin/run.sh": "#!/bin/sh\necho hi\n",
};

let repo: FixtureRepo;
let repository: GitRepository;
const clock = { now: () => Date.UTC(2030, 0, 2, 3, 4, 5) };

beforeAll(async () => {
  repo = await makeRepo(FILES);
  await chmod(join(repo.dir, "bin/run.sh"), 0o755);
  await git(repo.dir, "add", "bin/run.sh");
  await git(repo.dir, "commit", "-q", "-m", "make run.sh executable");
  repo.head = await git(repo.dir, "rev-parse", "HEAD");
  repository = await openRepository(repo.dir, { env: testGitEnv(), clock });
});

afterAll(async () => {
  await repository.close();
  await removeDir(repo.dir);
});

describe("commit", () => {
  it("returns null and creates no branch when nothing changed", async () => {
    const ws = await repository.fork({ runId: "c1", slug: "idle", baseCommit: "main" });
    expect(await ws.commit({ message: "nothing", author: AUTHOR })).toBeNull();
    await ws.write("shared.ts", FILES["shared.ts"]);
    expect(await ws.commit({ message: "same content", author: AUTHOR })).toBeNull();
    expect(await git(repo.dir, "branch", "--list", "dynflow/c1-work/idle")).toBe("");
  });

  it("commits on dynflow/<run>-work/<slug> with per-file stats, identity, clock and incomplete flag", async () => {
    const ws = await repository.fork({ runId: "c1", slug: "stats", baseCommit: "main" });
    await ws.edit("shared.ts", "line 2\n", "line two\nline 2b\n");
    await ws.write("added/new.ts", "a\nb\nc\n");
    await ws.delete("lib/deep/other.ts");
    await ws.write("bin/run.sh", "#!/bin/sh\necho bye\n");
    const change = await ws.commit({ message: "Change things", author: AUTHOR, incomplete: true });
    expect(change).toEqual({
      branch: "dynflow/c1-work/stats",
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      base: repo.head,
      files: [
        { path: "added/new.ts", status: "added", additions: 3, deletions: 0 },
        { path: "bin/run.sh", status: "modified", additions: 1, deletions: 1 },
        { path: "lib/deep/other.ts", status: "deleted", additions: 0, deletions: 1 },
        { path: "shared.ts", status: "modified", additions: 2, deletions: 1 },
      ],
      additions: 6,
      deletions: 3,
      incomplete: true,
    });
    expect(await git(repo.dir, "rev-parse", "refs/heads/dynflow/c1-work/stats")).toBe(change!.commit);
    expect(await git(repo.dir, "rev-parse", `${change!.commit}^`)).toBe(repo.head);
    expect(await git(repo.dir, "log", "-1", "--format=%an <%ae>|%cn|%at|%s", change!.commit)).toBe(
      `Worker One <worker@example.com>|Worker One|${Math.floor(clock.now() / 1000)}|Change things`,
    );
    expect(await show(repo.dir, change!.commit, "shared.ts")).toBe("line 1\nline two\nline 2b\nline 3\n");
    expect(await git(repo.dir, "ls-tree", change!.commit, "bin/run.sh")).toMatch(/^100755 /);
    expect(await git(repo.dir, "ls-tree", "-r", "--name-only", change!.commit, "lib")).toBe("lib/deep/nested/leaf.ts");
    // Git agrees with the stats, and unchanged subtrees are shared with the base.
    expect(await git(repo.dir, "diff", "--shortstat", repo.head, change!.commit)).toBe("4 files changed, 6 insertions(+), 3 deletions(-)");
    expect(await git(repo.dir, "rev-parse", `${change!.commit}:lib/deep/nested`)).toBe(await git(repo.dir, "rev-parse", `${repo.head}:lib/deep/nested`));
    await git(repo.dir, "fsck", "--no-dangling");
  });

  it("drops directories emptied by deletions and lets a file replace a directory", async () => {
    const ws = await repository.fork({ runId: "c1", slug: "dirs", baseCommit: "main" });
    await ws.delete("gone/only.txt");
    await ws.write("gone", "now a file\n");
    await ws.delete("lib/deep/nested/leaf.ts");
    const change = await ws.commit({ message: "reshape", author: AUTHOR });
    const tree = await git(repo.dir, "ls-tree", "-r", "--name-only", change!.commit);
    expect(tree.split("\n")).toEqual(["bin/run.sh", "gone", "lib/deep/other.ts", "shared.ts"]);
    expect(await git(repo.dir, "cat-file", "-t", `${change!.commit}:gone`)).toBe("blob");
  });

  it("moves the branch forward when committing again, and reuses the commit when nothing new changed", async () => {
    const ws = await repository.fork({ runId: "c1", slug: "twice", baseCommit: "main" });
    await ws.write("one.txt", "1\n");
    const first = await ws.commit({ message: "first", author: AUTHOR });
    await ws.write("two.txt", "2\n");
    const second = await ws.commit({ message: "second", author: AUTHOR });
    expect(second!.commit).not.toBe(first!.commit);
    expect(await git(repo.dir, "rev-parse", `${second!.commit}^`)).toBe(first!.commit);
    expect(await git(repo.dir, "rev-parse", "dynflow/c1-work/twice")).toBe(second!.commit);
    expect(second!.files.map((f) => f.path)).toEqual(["one.txt", "two.txt"]);
    const again = await ws.commit({ message: "third", author: AUTHOR, incomplete: true });
    expect(again).toEqual({ ...second, incomplete: true });
    // Reverting everything leaves no change and no branch.
    await ws.delete("one.txt");
    await ws.delete("two.txt");
    expect(await ws.commit({ message: "revert", author: AUTHOR })).toBeNull();
    expect(await git(repo.dir, "branch", "--list", "dynflow/c1-work/twice")).toBe("");
  });

  it("isolates workspaces: same file, different edits, neither sees the other; checkout and HEAD untouched", async () => {
    const worktreeBefore = await readFile(join(repo.dir, "shared.ts"), "utf8");
    await writeFile(join(repo.dir, "untracked.txt"), "local\n");
    const statusBefore = await git(repo.dir, "status", "--porcelain");
    const a = await repository.fork({ runId: "iso", slug: "a", baseCommit: repo.head });
    const b = await repository.fork({ runId: "iso", slug: "b", baseCommit: repo.head });
    await a.edit("shared.ts", "line 1", "line 1 (a)");
    await b.edit("shared.ts", "line 3", "line 3 (b)");
    expect((await a.read("shared.ts")).text).toBe("line 1 (a)\nline 2\nline 3\n");
    expect((await b.read("shared.ts")).text).toBe("line 1\nline 2\nline 3 (b)\n");
    const [ca, cb] = await Promise.all([a.commit({ message: "a", author: AUTHOR }), b.commit({ message: "b", author: AUTHOR })]);
    expect(await show(repo.dir, "dynflow/iso-work/a", "shared.ts")).toBe("line 1 (a)\nline 2\nline 3\n");
    expect(await show(repo.dir, "dynflow/iso-work/b", "shared.ts")).toBe("line 1\nline 2\nline 3 (b)\n");
    expect(await git(repo.dir, "diff", "--name-only", repo.head, ca!.commit)).toBe("shared.ts");
    expect(await git(repo.dir, "diff", "--name-only", repo.head, cb!.commit)).toBe("shared.ts");
    expect(await git(repo.dir, "rev-parse", "HEAD")).toBe(repo.head);
    expect(await git(repo.dir, "symbolic-ref", "HEAD")).toBe("refs/heads/main");
    expect(await readFile(join(repo.dir, "shared.ts"), "utf8")).toBe(worktreeBefore);
    expect(await git(repo.dir, "status", "--porcelain")).toBe(statusBefore);
  });

  it("produces a unified diff against the base for refuters", async () => {
    const ws = await repository.fork({ runId: "c1", slug: "diff", baseCommit: "main" });
    expect(await ws.diff()).toBe("");
    await ws.edit("shared.ts", "line 3\n", "line 3\nline 4\n");
    await ws.write("notes.md", "hello\n");
    const diff = await ws.diff();
    expect(diff).toContain("diff --git a/notes.md b/notes.md\nnew file mode 100644");
    expect(diff).toContain("--- a/shared.ts\n+++ b/shared.ts\n@@ -1,3 +1,4 @@\n line 1\n line 2\n line 3\n+line 4\n");
    const change = await ws.commit({ message: "diff", author: AUTHOR });
    expect(await repository.diff(change!.base, change!.commit)).toBe(diff);
  });

  it("refuses run ids and slugs that cannot be ref components", async () => {
    await expect(repository.fork({ runId: "bad run", slug: "a", baseCommit: "main" })).rejects.toMatchObject({ code: "invalid_ref_name" });
    await expect(repository.fork({ runId: "r", slug: "../x", baseCommit: "main" })).rejects.toMatchObject({ code: "invalid_ref_name" });
    await expect(repository.fork({ runId: "r", slug: "a", baseCommit: "nope" })).rejects.toMatchObject({ code: "commit_not_found" });
  });
});
