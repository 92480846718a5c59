import { execFile } from "node:child_process";
import { chmod, readFile, symlink, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RepositoryClosedError } from "../../src/workspace/errors.js";
import { openRepository } from "../../src/workspace/open-repository.js";
import { git, gitRaw, makeRepo, removeDir, show, tempDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

const AUTHOR = { name: "W", email: "w@example.com" };
const BIG = Array.from({ length: 60_000 }, (_, i) => `line ${i} ${"x".repeat(40)}`).join("\n") + "\n";

let repo: FixtureRepo;

/** Long-lived git processes this test process started, itself or through its git launcher. */
async function gitChildren(): Promise<string[]> {
  const { stdout } = await promisify(execFile)("ps", ["-e", "-o", "pid=,ppid=,args="]);
  const rows = stdout.split("\n").flatMap((line) => {
    const row = /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(line);
    return row ? [{ pid: Number(row[1]), ppid: Number(row[2]), args: row[3]! }] : [];
  });
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) if (ours.has(row.ppid) && !ours.has(row.pid)) grew = Boolean(ours.add(row.pid));
  }
  return rows.filter((row) => ours.has(row.pid) && /^git (cat-file|hash-object|mktree|diff-tree|update-ref)/.test(row.args)).map((row) => row.args);
}

beforeAll(async () => {
  repo = await makeRepo({ "big.txt": BIG, "small.txt": "small\n", "sub/dir/file.txt": "f\n" });
});

afterAll(async () => {
  await removeDir(repo.dir);
});

describe("openRepository", () => {
  it("serves concurrent workspaces through shared long-lived processes, large objects included", async () => {
    const repository = await openRepository(repo.dir, { env: testGitEnv() });
    try {
      const n = 12;
      const changes = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const ws = await repository.fork({ runId: "many", slug: `w${i}`, baseCommit: "main" });
          const big = await ws.read("big.txt", { startLine: 59_999 });
          expect(big).toMatchObject({ totalLines: 60_000, text: `line 59998 ${"x".repeat(40)}\nline 59999 ${"x".repeat(40)}\n` });
          await ws.write(`sub/dir/w${i}.txt`, `worker ${i}\n`);
          await ws.edit("small.txt", "small", `small ${i}`);
          return ws.commit({ message: `w${i}`, author: AUTHOR });
        }),
      );
      for (const [i, change] of changes.entries()) {
        expect(await show(repo.dir, change!.commit, `sub/dir/w${i}.txt`)).toBe(`worker ${i}\n`);
        expect(await show(repo.dir, change!.commit, "small.txt")).toBe(`small ${i}\n`);
        expect(await git(repo.dir, "ls-tree", "-r", "--name-only", change!.commit, "sub")).toBe(`sub/dir/file.txt\nsub/dir/w${i}.txt`);
      }
      // Objects are read, commits written, diffs made and branches moved by four long-lived processes, whatever the number of
      // workspaces; blobs and trees are written without any.
      expect((await gitChildren()).map((line) => line.split(" ").slice(0, 2).join(" ")).sort()).toEqual(["git cat-file", "git diff-tree", "git update-ref"]);
    } finally {
      await repository.close();
    }
    expect(await gitChildren()).toEqual([]);
  });

  it("starts the processes a commit needs at a workspace's first change, not at its commit", async () => {
    const repository = await openRepository(repo.dir, { env: testGitEnv() });
    const started = async () => (await gitChildren()).map((line) => line.split(" ").slice(0, 2).join(" ")).sort();
    try {
      const ws = await repository.fork({ runId: "warm", slug: "a", baseCommit: "main" });
      await ws.read("small.txt");
      expect(await started()).toEqual(["git cat-file"]);
      await ws.write("small.txt", "changed\n");
      // The launcher starts them as it is asked to, a moment later.
      await vi.waitFor(async () => expect(await started()).toEqual(["git cat-file", "git diff-tree", "git update-ref"]));
    } finally {
      await repository.close();
    }
  });

  it("answers concurrent diffs with the bytes diff-tree prints, long and empty ones included", async () => {
    const repository = await openRepository(repo.dir, { env: testGitEnv() });
    try {
      const ws = await repository.fork({ runId: "diffs", slug: "a", baseCommit: "main" });
      await ws.write("big.txt", BIG.replaceAll("x", "y"));
      await ws.write("new.txt", "no newline at the end");
      await ws.delete("sub/dir/file.txt");
      const change = await ws.commit({ message: "a", author: AUTHOR });
      const expected = await gitRaw(repo.dir, "diff-tree", "-r", "-p", "--no-renames", "--no-color", "--no-ext-diff", repo.head, change!.commit);
      expect(expected.length).toBeGreaterThan(1_000_000);
      const [forward, none, back] = await Promise.all([
        repository.diff(repo.head, change!.commit),
        repository.diff(repo.head, repo.head),
        repository.diff(change!.commit, "main"),
      ]);
      expect(forward).toBe(expected);
      expect(none).toBe("");
      expect(back).toBe(await gitRaw(repo.dir, "diff-tree", "-r", "-p", "--no-renames", "--no-color", "--no-ext-diff", change!.commit, repo.head));
    } finally {
      await repository.close();
    }
  });

  it("refuses work after close", async () => {
    const repository = await openRepository(repo.dir, { env: testGitEnv() });
    const ws = await repository.fork({ runId: "closed", slug: "a", baseCommit: "main" });
    await repository.close();
    await expect(ws.read("small.txt")).rejects.toBeInstanceOf(RepositoryClosedError);
    await expect(repository.resolveCommit("HEAD")).rejects.toBeInstanceOf(RepositoryClosedError);
  });

  it("restarts its processes when the token changes, without losing reads", async () => {
    const repository = await openRepository(repo.dir, { env: testGitEnv() });
    try {
      expect((await repository.readFile("main", "small.txt")).toString()).toBe("small\n");
      const reads = [repository.readFile("main", "sub/dir/file.txt")];
      repository.setToken("ghs_new");
      reads.push(repository.readFile("main", "small.txt"));
      expect((await Promise.all(reads)).map(String)).toEqual(["f\n", "small\n"]);
    } finally {
      await repository.close();
    }
  });

  it("opens bare repositories and fails clearly outside a repository", async () => {
    const bare = `${repo.dir}-bare.git`;
    await git(repo.dir, "clone", "-q", "--bare", repo.dir, bare);
    const repository = await openRepository(bare, { env: testGitEnv() });
    try {
      expect(repository.gitDir).toBe(bare);
      expect(await repository.listFiles("main")).toEqual(["big.txt", "small.txt", "sub/dir/file.txt"]);
    } finally {
      await repository.close();
      await removeDir(bare);
    }
    await expect(openRepository("/", { env: testGitEnv() })).rejects.toMatchObject({ code: "git_failed" });
  });

  describe("headName", () => {
    /** What `git symbolic-ref --short -q HEAD` prints, or `HEAD` when it prints nothing. */
    const gitHeadName = (dir: string) => git(dir, "symbolic-ref", "--short", "-q", "HEAD").then((name) => name || "HEAD", () => "HEAD");

    async function headNameIn(dir: string, env = testGitEnv()): Promise<string> {
      const repository = await openRepository(dir, { env });
      try {
        return await repository.headName();
      } finally {
        await repository.close();
      }
    }

    it("names the branch as git does: plain, nested, ambiguous with a tag or a ref, in capitals, unborn, outside refs/heads, or HEAD when detached", async () => {
      const { dir, head } = await makeRepo({ "a.txt": "a\n" });
      try {
        const cases: [string, () => Promise<unknown>][] = [
          ["main", async () => undefined],
          ["feature/x", () => git(dir, "checkout", "-q", "-b", "feature/x")],
          ["heads/feature/x", () => git(dir, "tag", "feature/x")],
          ["main", () => git(dir, "checkout", "-q", "main")],
          ["heads/main", () => git(dir, "update-ref", "refs/main", head)],
          ["FOO", async () => (await git(dir, "update-ref", "-d", "refs/main"), await git(dir, "checkout", "-q", "-b", "FOO"))],
          ["heads/FOO", () => writeFile(join(dir, ".git", "FOO"), `${head}\n`)],
          ["unborn", () => git(dir, "symbolic-ref", "HEAD", "refs/heads/unborn")],
          ["origin/x", async () => (await git(dir, "update-ref", "refs/remotes/origin/x", head), await git(dir, "symbolic-ref", "HEAD", "refs/remotes/origin/x"))],
          ["HEAD", () => git(dir, "checkout", "-q", "--detach", head)],
        ];
        for (const [expected, arrange] of cases) {
          await arrange();
          expect(await gitHeadName(dir)).toBe(expected);
          expect(await headNameIn(dir)).toBe(expected);
        }
      } finally {
        await removeDir(dir);
      }
    });

    it("names a linked worktree's branch, and the branch a symlinked HEAD points to", async () => {
      const { dir } = await makeRepo({ "a.txt": "a\n" });
      const worktree = `${dir}-wt`;
      try {
        await git(dir, "worktree", "add", "-q", "-b", "side", worktree);
        expect(await headNameIn(worktree)).toBe("side");
        expect(await headNameIn(dir)).toBe("main");
        await unlink(join(dir, ".git", "HEAD"));
        await symlink("refs/heads/main", join(dir, ".git", "HEAD"));
        expect(await gitHeadName(dir)).toBe("main");
        expect(await headNameIn(dir)).toBe("main");
      } finally {
        await removeDir(worktree);
        await removeDir(dir);
      }
    });

    it("reads a plain branch's name without starting a git process for it", async () => {
      const bin = await tempDir("dynflow-git-log-");
      const log = join(bin, "calls.log");
      const realGit = (await promisify(execFile)("sh", ["-c", "command -v git"])).stdout.trim();
      await writeFile(join(bin, "git"), `#!/bin/sh\necho "$*" >> "${log}"\nexec "${realGit}" "$@"\n`);
      await chmod(join(bin, "git"), 0o755);
      const env = { ...testGitEnv(), PATH: `${bin}:${process.env.PATH ?? ""}` };
      try {
        expect(await headNameIn(repo.dir, env)).toBe("main");
        const calls = (await readFile(log, "utf8")).trim().split("\n");
        expect(calls.filter((call) => !call.startsWith("rev-parse --absolute-git-dir"))).toEqual(["cat-file --batch"]);
      } finally {
        await removeDir(bin);
      }
    });
  });
});
