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

describe("GitStore.writeCommit", () => {
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
});
