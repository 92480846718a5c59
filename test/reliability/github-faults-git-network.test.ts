/**
 * One transient 502 from the git server on the clone's fetch or on the push
 * must not fail a run: both are retried with backoff (a fetch only reads; a
 * run pushes only its own refs). A failure that is not transient (a missing
 * repository) is not retried. Real git over smart HTTP (`git http-backend`).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushBranches, syncClone } from "../../src/workspace/index.js";
import { makeRemote } from "../durability/app-processes.js";
import { git, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";
import { startGitHttpServer, type GitHttpServer } from "../fakes/git-http-server.js";

const exec = promisify(execFile);

describe("git over the network, with one 502", () => {
  let work: string;
  let server: GitHttpServer;

  beforeAll(async () => {
    work = await tempDir("dynflow-git-network-");
    await makeRemote(work, "widgets", { "README.md": "# widgets\n" });
    server = await startGitHttpServer(work);
  });

  afterAll(async () => {
    await server?.close();
    await removeDir(work);
  });

  it("clones despite a 502 on the first request", async () => {
    server.failNext(1);
    const clone = await syncClone({ cloneUrl: `${server.url}/widgets.git`, dir: join(work, "clone-1"), env: testGitEnv() });
    expect(clone.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(server.requests.some((request) => request.status === 502)).toBe(true);
  }, 60_000);

  it("pushes the run's branch despite a 502 on the push", async () => {
    const clone = await syncClone({ cloneUrl: `${server.url}/widgets.git`, dir: join(work, "clone-2"), env: testGitEnv() });
    await git(clone.dir, "update-ref", "refs/heads/dynflow/r-1", clone.commit);
    server.failNext(1);
    const pushed = await pushBranches({ repoDir: clone.dir, remoteUrl: `${server.url}/widgets.git`, refspecs: ["refs/heads/dynflow/r-1:refs/heads/dynflow/r-1"], env: testGitEnv() });
    expect(pushed.map((ref) => ref.status)).toEqual(["created"]);
    const { stdout } = await exec("git", ["rev-parse", "refs/heads/dynflow/r-1"], { cwd: join(work, "widgets.git") });
    expect(stdout.trim()).toBe(clone.commit);
  }, 60_000);

  it("does not retry what is not transient", async () => {
    const before = server.requests.length;
    await expect(syncClone({ cloneUrl: `${server.url}/missing.git`, dir: join(work, "clone-3"), env: testGitEnv() })).rejects.toThrow(/git fetch failed/);
    expect(server.requests.length - before).toBe(1);
  }, 60_000);
});
