import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitCommandError } from "../../src/workspace/errors.js";
import { DIFF_END, GitBatch, parseCatFile, parseDiffAnswer, parseLine } from "../../src/workspace/git-batch.js";
import { gitEnvironment } from "../../src/workspace/git-env.js";
import type { GitContext } from "../../src/workspace/run-git.js";
import { git, gitRaw, makeRepo, removeDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

let repo: FixtureRepo;
let ctx: GitContext;

beforeAll(async () => {
  repo = await makeRepo({ "a.txt": "alpha\n" });
  ctx = { cwd: repo.dir, env: gitEnvironment(testGitEnv()), secrets: [] };
});

afterAll(async () => {
  await removeDir(repo.dir);
});

describe("GitBatch", () => {
  it("answers pipelined requests in order, missing objects included", async () => {
    const batch = new GitBatch(() => ctx, ["cat-file", "--batch"]);
    try {
      const blob = await git(repo.dir, "rev-parse", "HEAD:a.txt");
      const answers = await Promise.all([
        batch.request(`${blob}\n`, parseCatFile),
        batch.request(`${"0".repeat(40)}\n`, parseCatFile),
        batch.request("HEAD\n", parseCatFile),
      ]);
      expect(answers[0]).toEqual({ oid: blob, type: "blob", content: Buffer.from("alpha\n") });
      expect(answers[1]).toBeNull();
      expect(answers[2]?.type).toBe("commit");
    } finally {
      await batch.close();
    }
  });

  it("rejects what was pending when the process dies, then starts a new one", async () => {
    const batch = new GitBatch(() => ctx, ["hash-object", "-w", "--stdin-paths"]);
    try {
      const file = join(repo.dir, "a.txt");
      const missing = batch.request(`${join(repo.dir, "does-not-exist")}\n`, parseLine);
      await expect(missing).rejects.toBeInstanceOf(GitCommandError);
      await expect(missing).rejects.toMatchObject({ stderr: expect.stringContaining("does-not-exist") });
      await writeFile(file, "alpha\n");
      expect(await batch.request(`${file}\n`, parseLine)).toBe(await git(repo.dir, "rev-parse", "HEAD:a.txt"));
    } finally {
      await batch.close();
    }
    await expect(batch.request("x\n", parseLine)).rejects.toBeInstanceOf(GitCommandError);
  });

  it("answers diffs in order, null for two trees git could not read, without losing step", async () => {
    const batch = new GitBatch(() => ctx, ["diff-tree", "--stdin", "-r", "-p", "--no-renames", "--no-color", "--no-ext-diff"]);
    try {
      const tree = await git(repo.dir, "rev-parse", "HEAD^{tree}");
      const empty = await git(repo.dir, "hash-object", "-t", "tree", "-w", "/dev/null");
      const ask = (a: string, b: string) => batch.request(`${a} ${b}\n${DIFF_END}\n`, parseDiffAnswer());
      const [added, unreadable, none] = await Promise.all([ask(empty, tree), ask("1".repeat(40), tree), ask(tree, tree)]);
      expect(added).toBe(await gitRaw(repo.dir, "diff-tree", "-r", "-p", "--no-renames", "--no-color", "--no-ext-diff", empty, tree));
      expect(unreadable).toBeNull();
      expect(none).toBe("");
    } finally {
      await batch.close();
    }
  });
});
