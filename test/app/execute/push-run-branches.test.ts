/**
 * The branches a run reports as pushed are the ones the remote has: those
 * pushed now, and those missing from this clone (an earlier attempt on
 * another machine pushed them) that the remote already holds.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { pushRunBranches } from "../../../src/app/execute/push-run-branches.js";
import { openRepository } from "../../../src/workspace/index.js";
import { git, makeRepo, removeDir, tempDir, testGitEnv } from "../../workspace/git-fixture.js";

let dirs: string[] = [];
beforeEach(() => {
  dirs = [];
});
afterEach(async () => {
  for (const dir of dirs) await removeDir(dir);
});

it("counts a branch the remote has from an earlier attempt, and not one nobody has", async () => {
  const source = await makeRepo({ "a.txt": "a\n" });
  const remote = await tempDir("dynflow-push-remote-");
  dirs.push(source.dir, remote);
  await git(remote, "init", "-q", "--bare");
  // The earlier attempt, elsewhere: its worker branch reached the remote.
  await git(source.dir, "push", "-q", remote, "main:refs/heads/dynflow/r-1-work/m0", "main:refs/heads/main");
  // This clone has only the branch this attempt made.
  const clone = await tempDir("dynflow-push-clone-");
  dirs.push(clone);
  await git(clone, "clone", "-q", "--bare", remote, ".");
  await git(clone, "update-ref", "-d", "refs/heads/dynflow/r-1-work/m0");
  await git(clone, "branch", "dynflow/r-1-work/m1", "main");
  const repository = await openRepository(clone, { env: testGitEnv() });

  const { pushed } = await pushRunBranches({
    repository,
    remoteUrl: `file://${remote}`,
    token: "unused",
    branches: ["dynflow/r-1-work/m0", "dynflow/r-1-work/m1", "dynflow/r-1-work/m2"],
    env: testGitEnv(),
  });
  expect(pushed).toEqual(["dynflow/r-1-work/m0", "dynflow/r-1-work/m1"]);
});
