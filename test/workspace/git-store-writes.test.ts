import { createHash } from "node:crypto";
import { rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCommitObject, type CommitObjectInput } from "../../src/workspace/commit-identity.js";
import { CommitNotFoundError, GitCommandError } from "../../src/workspace/errors.js";
import { GitStore } from "../../src/workspace/git-store.js";
import { git, makeRepo, removeDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

let repo: FixtureRepo;

beforeAll(async () => {
  repo = await makeRepo({ "a.txt": "alpha\n" });
});

afterAll(async () => {
  await removeDir(repo.dir);
});

describe("GitStore writes sent together", () => {
  it("writes commits sent together, and a refused one fails alone", async () => {
    await withStore(async (store) => {
      const tree = await git(repo.dir, "rev-parse", "HEAD^{tree}");
      const commit = (message: string) => `tree ${tree}\nparent ${repo.head}\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n\n${message}\n`;
      const [first, refused, third] = await Promise.allSettled([store.writeCommit(commit("one")), store.writeCommit("tree nonsense\n\nbad\n"), store.writeCommit(commit("three"))]);
      expect(refused.status).toBe("rejected");
      expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(GitCommandError);
      for (const [written, message] of [[first, "one"], [third, "three"]] as const) {
        expect(written.status).toBe("fulfilled");
        expect(await git(repo.dir, "log", "-1", "--format=%s", (written as PromiseFulfilledResult<string>).value)).toBe(message);
      }
    });
  });

  it("moves refs sent together, and a refused update (a branch moved meanwhile) fails alone with git's reason", async () => {
    await withStore(async (store) => {
      const stale = "1".repeat(40);
      const results = await Promise.allSettled([
        store.updateRef("refs/heads/w/one", repo.head),
        store.updateRef("refs/heads/w/two", repo.head, stale),
        store.updateRef("refs/heads/w/three", repo.head),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(GitCommandError);
      expect(await git(repo.dir, "for-each-ref", "--format=%(refname)", "refs/heads/w")).toBe("refs/heads/w/one\nrefs/heads/w/three");
      await store.updateRef("refs/heads/w/four", repo.head);
      expect(await git(repo.dir, "rev-parse", "refs/heads/w/four")).toBe(repo.head);
    });
  });

  it("writes its own commits in process: the object git would write, read back by git and by the store", async () => {
    await withStore(async (store) => {
      const tree = await git(repo.dir, "rev-parse", "HEAD^{tree}");
      const input = { tree, parents: [repo.head], author: AUTHOR, committer: AUTHOR, seconds: 1_700_000_000, message: "in process\n" };
      const commit = await store.commitObject(input);
      expect(commit).toBe(formatCommitId(input));
      expect(await git(repo.dir, "cat-file", "-t", commit)).toBe("commit");
      expect(await git(repo.dir, "log", "-1", "--format=%s %P %T", commit)).toBe(`in process ${repo.head} ${tree}`);
      expect(await store.treeOf(commit)).toBe(tree);
      await git(repo.dir, "fsck", "--strict", "--no-dangling");
    });
  });

  it("fails a commit it could not store, and does not take it for stored", async () => {
    await withStore(async (store) => {
      const tree = await git(repo.dir, "rev-parse", "HEAD^{tree}");
      // A file where the commit's object directory would be: it cannot be written there.
      for (let n = 0; ; n++) {
        const input = { tree, parents: [repo.head], author: AUTHOR, committer: AUTHOR, seconds: 1_700_000_000 + n, message: "blocked\n" };
        const id = formatCommitId(input);
        const fanOut = join(repo.dir, ".git", "objects", id.slice(0, 2));
        if (await stat(fanOut).then(() => true, () => false)) continue;
        await writeFile(fanOut, "not a directory");
        try {
          await expect(store.commitObject(input)).rejects.toThrow();
          await expect(store.resolveCommit(id)).rejects.toBeInstanceOf(CommitNotFoundError);
        } finally {
          await rm(fanOut);
        }
        break;
      }
    });
  });
});

const AUTHOR = { name: "A", email: "a@example.com" };

/** Runs `work` with a store opened on the fixture repository, and closes it. */
async function withStore(work: (store: GitStore) => Promise<void>): Promise<void> {
  const store = await GitStore.open(repo.dir, { env: testGitEnv(), token: undefined, log: undefined, listingCacheSize: 8 });
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

/** The id of the commit `formatCommitObject` makes of `input` (SHA-1 repositories). */
function formatCommitId(input: CommitObjectInput): string {
  const object = Buffer.from(formatCommitObject(input) as string, "utf8");
  return createHash("sha1").update(`commit ${object.length}\0`).update(object).digest("hex");
}

