/**
 * What a workspace commit tells the repository about itself (its per-file
 * statistics read from its one diff, the diff kept under its id, its listing
 * made from the base's) is exactly what git says when asked afresh: for
 * added, changed, deleted, binary and executable files, a file without a
 * final newline, paths with spaces, and paths git quotes.
 */
import { execFile } from "node:child_process";
import { chmod } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import { patchStats } from "../../src/workspace/patch-stats.js";
import { git, gitRaw, makeRepo, removeDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

const AUTHOR = { name: "Worker", email: "worker@example.com" };
const FILES: Record<string, string | Buffer> = {
  "a.ts": "one\ntwo\nthree\n",
  "dir with space/b c.ts": "x\ny\n",
  "tail.ts": "no final newline",
  "gone.ts": "1\n2\n3\n",
  "img.bin": Buffer.from([0, 1, 2, 3, 10, 0]),
  "run.sh": "#!/bin/sh\necho a\n",
  "ünï/cödé.ts": "quoted path\n",
  "other/kept.ts": "kept\n",
};

let repo: FixtureRepo;
let repository: GitRepository;

beforeAll(async () => {
  repo = await makeRepo(FILES);
  await chmod(join(repo.dir, "run.sh"), 0o755);
  await git(repo.dir, "add", "run.sh");
  await git(repo.dir, "commit", "-q", "-m", "exec");
  repo.head = await git(repo.dir, "rev-parse", "HEAD");
  repository = await openRepository(repo.dir, { env: testGitEnv() });
});

afterAll(async () => {
  await repository.close();
  await removeDir(repo.dir);
});

async function gitNumstat(from: string, to: string): Promise<Record<string, { additions: number; deletions: number }>> {
  const out = await gitRaw(repo.dir, "diff-tree", "-r", "-z", "--numstat", "--no-renames", from, to);
  const stats: Record<string, { additions: number; deletions: number }> = {};
  for (const record of out.split("\0")) {
    const [added, deleted, ...path] = record.split("\t");
    if (path.length > 0) stats[path.join("\t")] = { additions: Number(added) || 0, deletions: Number(deleted) || 0 };
  }
  return stats;
}

describe("a workspace commit's facts", () => {
  it.each([
    ["plain paths", ["a.ts", "dir with space/b c.ts", "tail.ts", "gone.ts", "img.bin", "run.sh", "new file.ts"]],
    ["a path git quotes", ["a.ts", "ünï/cödé.ts"]],
  ])("match git's numstat, diff and listing afresh (%s)", async (_, touched) => {
    const ws = await repository.fork({ runId: "facts", slug: touched.length > 2 ? "plain" : "quoted", baseCommit: "main" });
    const edits: Record<string, () => Promise<void>> = {
      "a.ts": () => ws.edit("a.ts", "two\n", "2\n2b\n"),
      "dir with space/b c.ts": () => ws.write("dir with space/b c.ts", "x\n"),
      "tail.ts": () => ws.write("tail.ts", "no final newline, still"),
      "gone.ts": () => ws.delete("gone.ts"),
      "img.bin": () => ws.write("img.bin", "now text\n"),
      "run.sh": () => ws.write("run.sh", "#!/bin/sh\necho b\n"),
      "new file.ts": () => ws.write("new file.ts", "+\n-\n@@\n"),
      "ünï/cödé.ts": () => ws.write("ünï/cödé.ts", "still quoted\nmore\n"),
    };
    for (const path of touched) await edits[path]!();
    const change = await ws.commit({ message: "facts", author: AUTHOR });
    expect(change).not.toBeNull();
    const stats = await gitNumstat(change!.base, change!.commit);
    expect(Object.fromEntries(change!.files.map((f) => [f.path, { additions: f.additions, deletions: f.deletions }]))).toEqual(stats);

    // A new repository handle asks git; the one that made the commit answers from what it kept.
    const fresh = await openRepository(repo.dir, { env: testGitEnv() });
    try {
      expect(await repository.diff(change!.base, change!.commit)).toBe(await fresh.diff(change!.base, change!.commit));
      expect(await repository.listFiles(change!.commit)).toEqual(await fresh.listFiles(change!.commit));
      const view = await repository.readOnly(change!.commit);
      for (const path of await fresh.listFiles(change!.commit)) expect((await view.read(path)).text).toBe((await (await fresh.readOnly(change!.commit)).read(path)).text);
    } finally {
      await fresh.close();
    }
  });

  it("counts + and - lines of hunks only, and gives up on paths git may quote", () => {
    const patch = [
      "diff --git a/x.ts b/x.ts",
      "index 1..2 100644",
      "--- a/x.ts",
      "+++ b/x.ts",
      "@@ -1,2 +1,2 @@",
      "-old",
      "+new",
      "+--- looks like a header",
      " same",
      "\\ No newline at end of file",
      "diff --git a/y.bin b/y.bin",
      "Binary files a/y.bin and b/y.bin differ",
      "",
    ].join("\n");
    expect(patchStats(patch, ["x.ts", "y.bin", "untouched.ts"])).toEqual(
      new Map([
        ["x.ts", { additions: 2, deletions: 1 }],
        ["y.bin", { additions: 0, deletions: 0 }],
        ["untouched.ts", { additions: 0, deletions: 0 }],
      ]),
    );
    expect(patchStats(patch, ["tab\there.ts"])).toBeNull();
    expect(patchStats(patch, ['quote".ts'])).toBeNull();
    expect(patchStats(patch, ["ünï.ts"])).toBeNull();
  });
});

describe("a workspace commit's object and branch", () => {
  it.each([
    [{ name: "Worker One", email: "worker@example.com" }, "One line"],
    [{ name: " .Ünïcode, Name; ", email: "'quoted'@example.com." }, "Subject\n\nBody with trailing space \n\n"],
    [{ name: "dynflow", email: "dynflow@users.noreply.github.com" }, "no final newline"],
  ])("is the commit git commit-tree writes for the same input (%o)", async (author, message) => {
    const ws = await repository.fork({ runId: "object", slug: `id-${author.name.length}-${message.length}`, baseCommit: "main" });
    await ws.write("other/kept.ts", `changed for ${message}\n`);
    const change = await ws.commit({ message, author });
    const [tree, parent] = (await git(repo.dir, "log", "-1", "--format=%T %P", change!.commit)).split(" ");
    const seconds = (await git(repo.dir, "log", "-1", "--format=%at", change!.commit)).trim();
    const env = {
      ...testGitEnv(),
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: `@${seconds} +0000`,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
      GIT_COMMITTER_DATE: `@${seconds} +0000`,
    };
    const byGit = await new Promise<string>((resolve, reject) => {
      const child = execFile("git", ["commit-tree", "--no-gpg-sign", "-p", parent!, "-F", "-", tree!], { cwd: repo.dir, env }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim())));
      child.stdin!.end(message);
    });
    expect(change!.commit).toBe(byGit);
    expect(await git(repo.dir, "rev-parse", `refs/heads/${change!.branch}`)).toBe(change!.commit);
  });

  it("refuses to move a branch another writer moved, and commits again afterwards", async () => {
    const ws = await repository.fork({ runId: "object", slug: "raced", baseCommit: "main" });
    await ws.write("a.ts", "first\n");
    const first = await ws.commit({ message: "first", author: AUTHOR });
    await git(repo.dir, "update-ref", `refs/heads/${first!.branch}`, repo.head);
    await ws.write("a.ts", "second\n");
    await expect(ws.commit({ message: "second", author: AUTHOR })).rejects.toMatchObject({ name: "GitCommandError" });
    expect(await git(repo.dir, "rev-parse", `refs/heads/${first!.branch}`)).toBe(repo.head);
    const other = await repository.fork({ runId: "object", slug: "after", baseCommit: "main" });
    await other.write("a.ts", "after\n");
    const after = await other.commit({ message: "after", author: AUTHOR });
    expect(await git(repo.dir, "rev-parse", `refs/heads/${after!.branch}`)).toBe(after!.commit);
  });
});
