import { execFileSync } from "node:child_process";
import { readFile, writeFile, chmod } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deleteRemoteBranches } from "../../src/workspace/delete-remote-branches.js";
import { isWorkerBranchOf } from "../../src/app/closed/process-closed-step.js";
import { git, makeRepo, removeDir, tempDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

let repo: FixtureRepo;
let remote: string;

const BRANCHES = ["dynflow/r-1", "dynflow/r-1-work/a-1", "dynflow/r-1-work/b-2", "dynflow/r-1-ci1-work/fix-3", "dynflow/r-12-work/a-4", "dynflow/r-2-work/a-5", "main"];

async function branches(): Promise<string[]> {
  return (await git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads/")).split("\n").sort();
}

beforeEach(async () => {
  repo = await makeRepo({ "a.txt": "a\n" });
  remote = await tempDir();
  await git(remote, "init", "-q", "--bare");
  await git(repo.dir, "push", "-q", remote, ...BRANCHES.map((branch) => `main:refs/heads/${branch}`));
  // Counts the pushes the remote receives.
  const hook = join(remote, "hooks", "post-receive");
  await writeFile(hook, `#!/bin/sh\necho push >> "${join(remote, "pushes.log")}"\n`);
  await chmod(hook, 0o755);
});

afterEach(async () => {
  await removeDir(repo.dir);
  await removeDir(remote);
});

const pushes = async () => (await readFile(join(remote, "pushes.log"), "utf8").catch(() => "")).split("\n").filter((line) => line !== "").length;

describe("deleteRemoteBranches", () => {
  it("deletes the selected branches of the remote with one push, and nothing else", async () => {
    const deleted = await deleteRemoteBranches({ remoteUrl: `file://${remote}`, select: isWorkerBranchOf("r-1"), env: testGitEnv() });
    expect(deleted).toEqual(["dynflow/r-1-ci1-work/fix-3", "dynflow/r-1-work/a-1", "dynflow/r-1-work/b-2"]);
    expect(await branches()).toEqual(["dynflow/r-1", "dynflow/r-12-work/a-4", "dynflow/r-2-work/a-5", "main"]);
    expect(await pushes()).toBe(1);
    // Again: nothing left to delete, no push.
    expect(await deleteRemoteBranches({ remoteUrl: `file://${remote}`, select: isWorkerBranchOf("r-1"), env: testGitEnv() })).toEqual([]);
    expect(await pushes()).toBe(1);
  });

  it("does not fail when a branch is deleted by someone else between the listing and the push", async () => {
    const select = (branch: string) => {
      if (branch === "dynflow/r-1-work/a-1") execFileSync("git", ["-C", remote, "update-ref", "-d", `refs/heads/${branch}`], { env: testGitEnv() });
      return isWorkerBranchOf("r-1")(branch);
    };
    await deleteRemoteBranches({ remoteUrl: `file://${remote}`, select, env: testGitEnv() });
    expect(await branches()).toEqual(["dynflow/r-1", "dynflow/r-12-work/a-4", "dynflow/r-2-work/a-5", "main"]);
  });
});
