import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PushRejectedError } from "../../src/workspace/errors.js";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import { parsePushPorcelain, pushBranches } from "../../src/workspace/push-branches.js";
import { git, makeRepo, removeDir, tempDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

const AUTHOR = { name: "W", email: "w@example.com" };

let repo: FixtureRepo;
let remote: string;
let repository: GitRepository;

/** Each push runs the remote's post-receive hook once, with one stdin line per ref. */
async function pushLog(): Promise<string[][]> {
  const text = await readFile(join(remote, "pushes.log"), "utf8").catch(() => "");
  return text
    .split("===\n")
    .filter((s) => s !== "")
    .map((s) => s.trim().split("\n"));
}

function refspec(branch: string, force = true): string {
  return `${force ? "+" : ""}refs/heads/${branch}:refs/heads/${branch}`;
}

beforeAll(async () => {
  repo = await makeRepo({ "a.txt": "a\n" });
  remote = await tempDir();
  await git(remote, "init", "-q", "--bare");
  await git(repo.dir, "push", "-q", remote, "main");
  const hook = join(remote, "hooks", "post-receive");
  await writeFile(hook, `#!/bin/sh\ncat >> "${join(remote, "pushes.log")}"\necho === >> "${join(remote, "pushes.log")}"\n`);
  await chmod(hook, 0o755);
  repository = await openRepository(repo.dir, { env: testGitEnv() });
});

afterAll(async () => {
  await repository.close();
  await removeDir(repo.dir);
  await removeDir(remote);
});

describe("pushBranches", () => {
  it("pushes many workspace branches with one git push", async () => {
    const changes = [];
    for (const slug of ["one", "two", "three"]) {
      const ws = await repository.fork({ runId: "p1", slug, baseCommit: "main" });
      await ws.write(`${slug}.txt`, `${slug}\n`);
      changes.push(await ws.commit({ message: slug, author: AUTHOR }));
    }
    const results = await pushBranches({ repoDir: repo.dir, remoteUrl: `file://${remote}`, refspecs: changes.map((c) => refspec(c!.branch)), env: testGitEnv() });
    expect(results.map((r) => [r.destination, r.status]).sort()).toEqual([
      ["refs/heads/dynflow/p1-work/one", "created"],
      ["refs/heads/dynflow/p1-work/three", "created"],
      ["refs/heads/dynflow/p1-work/two", "created"],
    ]);
    for (const change of changes) expect(await git(remote, "rev-parse", `refs/heads/${change!.branch}`)).toBe(change!.commit);
    const pushes = await pushLog();
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toHaveLength(3);
  });

  it("reports forced, up-to-date and rejected refs", async () => {
    const ws = await repository.fork({ runId: "p2", slug: "moving", baseCommit: "main" });
    await ws.write("x.txt", "1\n");
    const first = await ws.commit({ message: "1", author: AUTHOR });
    await pushBranches({ repoDir: repo.dir, remoteUrl: `file://${remote}`, refspecs: [refspec(first!.branch)], env: testGitEnv() });

    // A fresh workspace with the same branch name replaces the branch (not a fast-forward).
    const again = await repository.fork({ runId: "p2", slug: "moving", baseCommit: "main" });
    await again.write("y.txt", "2\n");
    const replaced = await again.commit({ message: "2", author: AUTHOR });
    const forced = await pushBranches({
      repoDir: repo.dir,
      remoteUrl: `file://${remote}`,
      refspecs: [refspec(replaced!.branch), refspec("main", false)],
      env: testGitEnv(),
    });
    expect(Object.fromEntries(forced.map((r) => [r.destination, r.status]))).toEqual({
      [`refs/heads/${replaced!.branch}`]: "forced",
      "refs/heads/main": "up-to-date",
    });

    await again.write("z.txt", "3\n");
    const third = await again.commit({ message: "3", author: AUTHOR });
    await git(remote, "update-ref", `refs/heads/${third!.branch}`, first!.commit);
    const error = await pushBranches({ repoDir: repo.dir, remoteUrl: `file://${remote}`, refspecs: [refspec(third!.branch, false), refspec("main", false)], env: testGitEnv() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PushRejectedError);
    const results = (error as PushRejectedError).results;
    expect(results.find((r) => r.destination === `refs/heads/${third!.branch}`)).toMatchObject({ status: "rejected", summary: expect.stringContaining("rejected") });
    expect(results.find((r) => r.destination === "refs/heads/main")).toMatchObject({ status: "up-to-date" });
  });

  it("does nothing for no refspecs and refuses option-like refspecs", async () => {
    expect(await pushBranches({ repoDir: repo.dir, remoteUrl: `file://${remote}`, refspecs: [] })).toEqual([]);
    await expect(pushBranches({ repoDir: repo.dir, remoteUrl: `file://${remote}`, refspecs: ["--mirror"] })).rejects.toMatchObject({ code: "invalid_ref_name" });
    await expect(pushBranches({ repoDir: repo.dir, remoteUrl: "--receive-pack=evil", refspecs: ["main"] })).rejects.toMatchObject({ code: "invalid_remote_url" });
  });

  it("parses porcelain output", () => {
    const out = "To file:///r\n*\trefs/heads/a:refs/heads/a\t[new branch]\n-\t:refs/heads/b\t[deleted]\n!\trefs/heads/c:refs/heads/c\t[rejected] (fetch first)\nDone\n";
    expect(parsePushPorcelain(out)).toEqual([
      { source: "refs/heads/a", destination: "refs/heads/a", status: "created", summary: "[new branch]" },
      { source: "", destination: "refs/heads/b", status: "deleted", summary: "[deleted]" },
      { source: "refs/heads/c", destination: "refs/heads/c", status: "rejected", summary: "[rejected] (fetch first)" },
    ]);
  });
});
