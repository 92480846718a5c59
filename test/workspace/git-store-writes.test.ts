import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitCommandError } from "../../src/workspace/errors.js";
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
    const store = await GitStore.open(repo.dir, { env: testGitEnv(), token: undefined, log: undefined, listingCacheSize: 8 });
    try {
      const tree = await git(repo.dir, "rev-parse", "HEAD^{tree}");
      const commit = (message: string) => `tree ${tree}\nparent ${repo.head}\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n\n${message}\n`;
      const [first, refused, third] = await Promise.allSettled([store.writeCommit(commit("one")), store.writeCommit("tree nonsense\n\nbad\n"), store.writeCommit(commit("three"))]);
      expect(refused.status).toBe("rejected");
      expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(GitCommandError);
      for (const [written, message] of [[first, "one"], [third, "three"]] as const) {
        expect(written.status).toBe("fulfilled");
        expect(await git(repo.dir, "log", "-1", "--format=%s", (written as PromiseFulfilledResult<string>).value)).toBe(message);
      }
    } finally {
      await store.close();
    }
  });

  it("moves refs sent together, and a refused update (a branch moved meanwhile) fails alone with git's reason", async () => {
    const store = await GitStore.open(repo.dir, { env: testGitEnv(), token: undefined, log: undefined, listingCacheSize: 8 });
    try {
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
    } finally {
      await store.close();
    }
  });
});
