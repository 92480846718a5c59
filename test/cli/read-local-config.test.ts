/**
 * `.github/dynflow.yml` at the base commit for a local run: a regular file is
 * read and checked; anything else there (a link, a folder) or nothing means
 * the defaults, as before.
 */
import { afterEach, describe, expect, it } from "vitest";
import { InvalidLocalConfigError, readLocalConfig } from "../../src/cli/read-local-config.js";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.js";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { makeRepo, removeDir, testGitEnv } from "../workspace/git-fixture.js";

let dir: string | undefined;
let repository: GitRepository | undefined;

async function open(files: Record<string, string>, symlinks: Record<string, string> = {}): Promise<{ repository: GitRepository; head: string }> {
  const repo = await makeRepo({ "README.md": "r\n", ...files }, symlinks);
  dir = repo.dir;
  repository = await openRepository(repo.dir, { env: testGitEnv() });
  return { repository, head: repo.head };
}

afterEach(async () => {
  await repository?.close();
  if (dir) await removeDir(dir);
  repository = undefined;
  dir = undefined;
});

describe("readLocalConfig", () => {
  it("reads the file at the commit", async () => {
    const { repository, head } = await open({ ".github/dynflow.yml": "refuters: 3\n" });
    expect((await readLocalConfig(repository, head)).refuters).toBe(3);
  });

  it("lists every problem of an invalid file", async () => {
    const { repository, head } = await open({ ".github/dynflow.yml": "refuters: many\n" });
    await expect(readLocalConfig(repository, head)).rejects.toBeInstanceOf(InvalidLocalConfigError);
  });

  it("takes the defaults for no file, a link or a folder", async () => {
    for (const [files, links] of [
      [{}, {}],
      [{ "config.yml": "refuters: 3\n" }, { ".github/dynflow.yml": "../config.yml" }],
      [{ ".github/dynflow.yml/inner.yml": "refuters: 3\n" }, {}],
    ] as const) {
      const { repository, head } = await open(files, links);
      expect(await readLocalConfig(repository, head)).toEqual(DEFAULT_REPO_CONFIG);
      await repository.close();
      await removeDir(dir as string);
      dir = undefined;
    }
  });
});
