/**
 * The branches a run reports as pushed are the ones the remote has: those
 * pushed now, and those missing from this clone (an earlier attempt on
 * another machine pushed them) that the remote already holds.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { pushRunBranches } from "../../../src/app/execute/push-run-branches.js";
import { openRepository } from "../../../src/workspace/index.js";
import { makeRemote } from "../../durability/app-processes.js";
import { startGitHttpServer } from "../../fakes/git-http-server.js";
import { agentChange, bloblessClone, git, loggingGit, makeRepo, removeDir, tempDir, testGitEnv, withoutProxy } from "../../workspace/git-fixture.js";

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

it("pushes a run's branches over HTTP with the pack built from the run's repository: no git process for the push", async () => {
  const work = await tempDir("dynflow-push-http-run-");
  const logging = await loggingGit();
  dirs.push(work, logging.dir);
  const server = await startGitHttpServer(work);
  try {
    const remote = await makeRemote(work, "run", { "a.txt": "a\n", "src/b.txt": "b\n" });
    const clone = await bloblessClone(work, `${server.url}/run.git`);
    const env = withoutProxy(logging.env);
    const repository = await openRepository(clone, { env });
    try {
      // An agent's change and the run's result merging it, both written by the run's repository as a run writes them.
      const base = await repository.resolveCommit("refs/heads/main");
      const change = await agentChange(repository, base, { "src/b.txt": "b changed\n" }, "r-2");
      const author = { name: "dynflow", email: "dynflow@example.invalid" };
      const merge = await repository.writeCommit({ tree: await repository.treeOf(change.commit), parents: [base, change.commit], author, committer: author, seconds: 1_700_000_000, message: "merge m0\n" });
      await repository.updateRef("refs/heads/dynflow/r-2", merge);
      const callsBefore = (await logging.calls()).length;

      const { pushed } = await pushRunBranches({ repository, remoteUrl: `${server.url}/run.git`, token: "ghs_unused", branches: [change.branch, "dynflow/r-2"], env });

      expect(pushed).toEqual([change.branch, "dynflow/r-2"]);
      expect((await logging.calls()).slice(callsBefore).filter((call) => !call.startsWith("config --get-regexp"))).toEqual([]);
      expect(await git(remote, "rev-parse", "refs/heads/dynflow/r-2")).toBe(merge);
      expect(await git(remote, "cat-file", "-p", `${merge}:src/b.txt`)).toBe("b changed");
      await git(remote, "fsck", "--strict", "--no-dangling");
    } finally {
      await repository.close();
    }
  } finally {
    await server.close();
  }
});
