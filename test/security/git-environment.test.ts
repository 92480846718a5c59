/**
 * Attack class: secrets in child processes. Every git process used to get
 * the whole environment of dynflow, model API key, App private key, webhook
 * secret and database URL included, where a repository's hooks, filters or
 * a compromised git could read them. Git now gets an allowlisted environment;
 * a recording `git` on PATH shows what each process really received.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitEnvironment } from "../../src/workspace/git-env.js";
import { openRepository } from "../../src/workspace/open-repository.js";
import { pushBranches } from "../../src/workspace/push-branches.js";
import { syncClone } from "../../src/workspace/sync-clone.js";
import { git, makeRepo, removeDir, tempDir, testGitEnv } from "../workspace/git-fixture.js";
import { CANARY_SECRETS, canariesIn, startGitRecorder, type GitRecorder } from "./git-recorder.js";

let recorder: GitRecorder;
let work: string;
beforeAll(async () => {
  recorder = await startGitRecorder();
  work = await tempDir("dynflow-git-env-");
});
afterAll(async () => {
  await recorder.close();
  await removeDir(work);
});

describe("the environment of git processes", () => {
  it("keeps what git needs and nothing else", () => {
    const env = gitEnvironment({ ...CANARY_SECRETS, PATH: "/usr/bin", HOME: "/home/x", LC_ALL: "C", GIT_AUTHOR_NAME: "n", SOME_TOKEN: "t", NODE_OPTIONS: "--require x" }, { token: "ghs_x" });
    expect(canariesIn(JSON.stringify(env))).toEqual([]);
    expect(env).toMatchObject({ PATH: "/usr/bin", HOME: "/home/x", LC_ALL: "C", GIT_AUTHOR_NAME: "n", GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_KEY_0: "http.extraHeader" });
    expect(env).not.toHaveProperty("SOME_TOKEN");
    expect(env).not.toHaveProperty("NODE_OPTIONS");
  });

  it("reaches no git process of clone, fork, commit and push", async () => {
    const source = await makeRepo({ "README.md": "# r\n" });
    const bare = join(work, "remote.git");
    await git(work, "clone", "--bare", "--quiet", source.dir, bare);
    const env = { ...testGitEnv(), ...CANARY_SECRETS, PATH: `${recorder.binDir}:${process.env.PATH ?? ""}` };

    const clone = join(work, "clone");
    await syncClone({ cloneUrl: `file://${bare}`, dir: clone, token: "ghs_canarytoken", ref: source.head, env });
    const repository = await openRepository(clone, { env, token: "ghs_canarytoken" });
    const workspace = await repository.fork({ runId: "r1", slug: "edit", baseCommit: source.head });
    await workspace.write("NOTES.md", "hello\n");
    const commit = await workspace.commit({ message: "notes", author: { name: "dynflow", email: "bot@example.com" } });
    expect(commit).not.toBeNull();
    await pushBranches({ repoDir: repository.gitDir, remoteUrl: `file://${bare}`, token: "ghs_canarytoken", refspecs: [`+refs/heads/${commit?.branch}:refs/heads/${commit?.branch}`], env });
    await repository.close();
    await removeDir(source.dir);

    const environments = await recorder.environments();
    expect(environments.length).toBeGreaterThan(3);
    for (const environment of environments) expect(canariesIn(JSON.stringify(environment))).toEqual([]);
  });
});
