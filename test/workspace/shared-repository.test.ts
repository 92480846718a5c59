import { rename } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RepositoryClosedError } from "../../src/workspace/errors.js";
import { acquireRepository } from "../../src/workspace/shared-repository.js";
import type { Timers } from "../../src/time.js";
import { makeRepo, removeDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

let repo: FixtureRepo;

beforeAll(async () => {
  repo = await makeRepo({ "a.txt": "alpha\n" });
});

afterAll(async () => {
  await removeDir(repo.dir);
});

/** Timers that fire only when the test says so. */
function manualTimers(): Timers & { fire(): void; pending(): number } {
  const waiting = new Map<number, () => void>();
  let next = 0;
  return {
    setTimeout(callback) {
      waiting.set(++next, callback);
      return next;
    },
    clearTimeout(handle) {
      waiting.delete(handle as number);
    },
    fire() {
      const callbacks = [...waiting.values()];
      waiting.clear();
      for (const callback of callbacks) callback();
    },
    pending: () => waiting.size,
  };
}

const closes = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("acquireRepository", () => {
  it("shares one open repository between holders and closes it once the last has released it and the linger ends", async () => {
    const timers = manualTimers();
    const options = { env: testGitEnv(), timers };
    const first = await acquireRepository(repo.dir, options);
    const second = await acquireRepository(repo.dir, options);
    expect(second.repository).toBe(first.repository);

    first.release();
    first.release();
    expect(timers.pending()).toBe(0);
    second.release();
    expect(timers.pending()).toBe(1);
    // Held again within the linger: the same repository, still open.
    const third = await acquireRepository(repo.dir, options);
    expect(third.repository).toBe(first.repository);
    expect(timers.pending()).toBe(0);
    expect(await third.repository.resolveCommit("main")).toBe(repo.head);

    third.release();
    timers.fire();
    await closes();
    await expect(third.repository.resolveCommit("main")).rejects.toBeInstanceOf(RepositoryClosedError);
    const fourth = await acquireRepository(repo.dir, options);
    expect(fourth.repository).not.toBe(first.repository);
    expect(await fourth.repository.resolveCommit("main")).toBe(repo.head);
    fourth.release();
    timers.fire();
  });

  it("opens the repository there now when the one nobody held was replaced meanwhile", async () => {
    const timers = manualTimers();
    const other = await makeRepo({ "b.txt": "bravo\n" });
    const moved = `${other.dir}-old`;
    try {
      const first = await acquireRepository(other.dir, { env: testGitEnv(), timers });
      first.release();
      // Cloned again at the same path: a different directory now.
      await rename(other.dir, moved);
      const replacement = await makeRepo({ "c.txt": "charlie\n" });
      await rename(replacement.dir, other.dir);

      const second = await acquireRepository(other.dir, { env: testGitEnv(), timers });
      expect(second.repository).not.toBe(first.repository);
      expect(await second.repository.resolveCommit("main")).toBe(replacement.head);
      await closes();
      await expect(first.repository.resolveCommit("main")).rejects.toBeInstanceOf(RepositoryClosedError);
      second.release();
      timers.fire();
    } finally {
      await removeDir(other.dir);
      await removeDir(moved);
    }
  });

  it("forgets a repository that could not be opened", async () => {
    const missing = `${repo.dir}-missing`;
    await expect(acquireRepository(missing, { env: testGitEnv() })).rejects.toThrow();
    await expect(acquireRepository(missing, { env: testGitEnv() })).rejects.toThrow();
  });
});
