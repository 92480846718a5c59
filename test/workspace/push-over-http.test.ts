/**
 * A push to an HTTP remote spoken from dynflow's process: real git
 * repositories, served over smart HTTP by `git http-backend`, pushed to with
 * `pushBranches`. The server's log tells who spoke: dynflow (`git/dynflow`)
 * or git (`git/<version>`).
 */
import { execFileSync } from "node:child_process";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PushRejectedError } from "../../src/workspace/errors.js";
import { pushBranches } from "../../src/workspace/push-branches.js";
import { ownPushSettings } from "../../src/workspace/push-over-http.js";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { makeRemote } from "../durability/app-processes.js";
import { startGitHttpServer, type GitHttpServer } from "../fakes/git-http-server.js";
import { bloblessClone, git, loggingGit, removeDir, tempDir, testGitEnv, withoutProxy } from "./git-fixture.js";

const TOKEN = "ghs_pushcanary0123456789";

let work: string;
let server: GitHttpServer;
let logging: Awaited<ReturnType<typeof loggingGit>>;

/** The test environment without proxy settings, which send a push to git. */
function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...withoutProxy(logging.env), ...extra };
}

/** A remote `name` holding `files`, a partial clone of it (blobs fetched on demand) as dynflow keeps one, and the clone's view of its `main`. */
async function remoteAndClone(name: string, files: Record<string, string> = { "a.txt": "a\n" }): Promise<{ remote: string; clone: string; base: string }> {
  const remote = await makeRemote(work, name, files);
  const clone = await bloblessClone(work, `${server.url}/${name}.git`, `${name}-clone`);
  await git(clone, "config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*");
  await git(clone, "fetch", "-q", "origin");
  return { remote, clone, base: await git(clone, "rev-parse", "refs/remotes/origin/main") };
}

/** A commit on `parent` that sets `path` to `content`, written with plumbing in `dir` (no network: synchronous is fine). */
async function commitOn(dir: string, parent: string, path: string, content: string): Promise<string> {
  const plumbing = (args: string[], input: string) => execFileSync("git", args, { cwd: dir, input, env: testGitEnv() }).toString("utf8").trim();
  const blob = plumbing(["hash-object", "-w", "--stdin"], content);
  const entries = (await git(dir, "ls-tree", `${parent}^{tree}`)).split("\n").filter((line) => !line.endsWith(`\t${path}`));
  const tree = plumbing(["mktree", "--missing"], [...entries, `100644 blob ${blob}\t${path}`].join("\n") + "\n");
  return git(dir, "commit-tree", tree, "-p", parent, "-m", `set ${path}`);
}

/** How many objects the repository at `dir` holds, packed or loose. */
async function objectsOf(dir: string): Promise<number> {
  const counts = await git(dir, "count-objects", "-v");
  return Number(/in-pack: (\d+)/.exec(counts)?.[1] ?? 0) + Number(/^count: (\d+)/m.exec(counts)?.[1] ?? 0);
}

/** The push requests since `from` (a fetch git made meanwhile left out), by client. */
function clientsSince(from: number): string[] {
  return server.requests
    .slice(from)
    .filter((r) => r.service === "git-receive-pack")
    .map((r) => `${r.method} ${r.path.replace(/^\/[^/]+\.git/, "")} ${r.userAgent.startsWith("git/dynflow") ? "dynflow" : r.userAgent.startsWith("git/") ? "git" : r.userAgent}`);
}

beforeAll(async () => {
  work = await tempDir("dynflow-push-http-");
  server = await startGitHttpServer(work);
  logging = await loggingGit();
  // Each logged call also shows the header a token would reach git in, if one did.
  await writeFile(join(logging.dir, "git"), (await readFile(join(logging.dir, "git"), "utf8")).replace('echo "$*"', 'echo "$*${GIT_CONFIG_VALUE_0:+ header:$GIT_CONFIG_VALUE_0}"'));
});

afterAll(async () => {
  await server?.close();
  await removeDir(work);
  await removeDir(logging.dir);
});

describe("a push over HTTP from dynflow's process", () => {
  it("creates branches with one request and one pack-objects, sending only what the remote lacks, the token in the header alone", async () => {
    const { remote, clone, base } = await remoteAndClone("create", { "a.txt": "a\n", "b.txt": "b\n" });
    const one = await commitOn(clone, base, "a.txt", "one\n");
    const two = await commitOn(clone, base, "c.txt", "two\n");
    await git(clone, "update-ref", "refs/heads/dynflow/r1-work/one", one);
    const callsBefore = (await logging.calls()).length;
    const objectsBefore = await objectsOf(remote);
    const requestsBefore = server.requests.length;

    const results = await pushBranches({
      repoDir: clone,
      remoteUrl: `${server.url}/create.git`,
      token: TOKEN,
      refspecs: ["+refs/heads/dynflow/r1-work/one:refs/heads/dynflow/r1-work/one", `+${two}:refs/heads/dynflow/r1`],
      env: plainEnv(),
    });

    expect(results).toEqual([
      { source: "refs/heads/dynflow/r1-work/one", destination: "refs/heads/dynflow/r1-work/one", status: "created", summary: "[new branch]" },
      { source: two, destination: "refs/heads/dynflow/r1", status: "created", summary: "[new branch]" },
    ]);
    expect(await git(remote, "rev-parse", "refs/heads/dynflow/r1-work/one", "refs/heads/dynflow/r1")).toBe(`${one}\n${two}`);
    expect(await git(remote, "cat-file", "-p", `${two}:c.txt`)).toBe("two");
    // dynflow spoke; git did not, and fetched no blob of the partial clone to build the pack.
    expect(clientsSince(requestsBefore)).toEqual(["GET /info/refs dynflow", "POST /git-receive-pack dynflow"]);
    expect(server.requests.length - requestsBefore).toBe(2);
    const calls = (await logging.calls()).slice(callsBefore);
    expect(calls.filter((call) => !call.startsWith("config --get-regexp"))).toEqual(["pack-objects --revs --stdout -q --delta-base-offset"]);
    const basic = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
    expect(server.requests.slice(requestsBefore).map((r) => r.authorization)).toEqual([`Basic ${basic}`, `Basic ${basic}`]);
    // The remote got the two commits, one tree each, and the two new blobs: nothing it had.
    expect((await objectsOf(remote)) - objectsBefore).toBe(2 + 2 + 2);
  });

  it("replaces, deletes and leaves alone in one request, and reports each as git does", async () => {
    const { remote, clone, base } = await remoteAndClone("update");
    const first = await commitOn(clone, base, "a.txt", "first\n");
    const second = await commitOn(clone, base, "a.txt", "second\n");
    await git(remote, "update-ref", "refs/heads/dynflow/moving", base);
    await git(remote, "update-ref", "refs/heads/dynflow/gone", base);
    await pushBranches({ repoDir: clone, remoteUrl: `${server.url}/update.git`, refspecs: [`+${first}:refs/heads/dynflow/moving`], env: plainEnv() });
    const requestsBefore = server.requests.length;

    const results = await pushBranches({
      repoDir: clone,
      remoteUrl: `${server.url}/update.git`,
      refspecs: [`+${second}:refs/heads/dynflow/moving`, ":refs/heads/dynflow/gone", `${base}:refs/heads/main`],
      env: plainEnv(),
    });

    expect(results.map((r) => [r.destination, r.status, r.summary])).toEqual([
      ["refs/heads/dynflow/moving", "forced", `${first.slice(0, 7)}...${second.slice(0, 7)} (forced update)`],
      ["refs/heads/dynflow/gone", "deleted", "[deleted]"],
      ["refs/heads/main", "up-to-date", "[up to date]"],
    ]);
    expect(clientsSince(requestsBefore)).toEqual(["GET /info/refs dynflow", "POST /git-receive-pack dynflow"]);
    expect(await git(remote, "rev-parse", "refs/heads/dynflow/moving")).toBe(second);
    expect(await git(remote, "for-each-ref", "--format=%(refname)", "refs/heads/dynflow/gone")).toBe("");
  });

  it("reports a ref the remote refused as rejected, with the remote's reason, and pushes the others", async () => {
    const { remote, clone, base } = await remoteAndClone("hooked");
    await writeFile(join(remote, "hooks", "update"), `#!/bin/sh\ncase "$1" in refs/heads/protected/*) exit 1;; esac\nexit 0\n`);
    await chmod(join(remote, "hooks", "update"), 0o755);
    const change = await commitOn(clone, base, "a.txt", "changed\n");

    const error = await pushBranches({
      repoDir: clone,
      remoteUrl: `${server.url}/hooked.git`,
      refspecs: [`+${change}:refs/heads/protected/x`, `+${change}:refs/heads/dynflow/ok`],
      env: plainEnv(),
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PushRejectedError);
    expect((error as PushRejectedError).results.map((r) => [r.destination, r.status, r.summary])).toEqual([
      ["refs/heads/protected/x", "rejected", "[remote rejected] (hook declined)"],
      ["refs/heads/dynflow/ok", "created", "[new branch]"],
    ]);
    expect(await git(remote, "rev-parse", "refs/heads/dynflow/ok")).toBe(change);
  });

  it("leaves to git a fast-forward-only update of a ref the remote has: git checks the ancestry", async () => {
    const { remote, clone, base } = await remoteAndClone("fastforward");
    const ahead = await commitOn(clone, base, "a.txt", "ahead\n");
    const aside = await commitOn(clone, base, "a.txt", "aside\n");
    await git(remote, "update-ref", "refs/heads/feature", base);
    let requestsBefore = server.requests.length;

    const forward = await pushBranches({ repoDir: clone, remoteUrl: `${server.url}/fastforward.git`, refspecs: [`${ahead}:refs/heads/feature`], env: plainEnv() });
    expect(forward.map((r) => r.status)).toEqual(["updated"]);
    expect(clientsSince(requestsBefore)).toEqual(["GET /info/refs dynflow", "GET /info/refs git", "POST /git-receive-pack git"]);

    requestsBefore = server.requests.length;
    const error = await pushBranches({ repoDir: clone, remoteUrl: `${server.url}/fastforward.git`, refspecs: [`${aside}:refs/heads/feature`], env: plainEnv() }).catch((e: unknown) => e);
    expect((error as PushRejectedError).results.map((r) => r.summary)).toEqual([expect.stringContaining("rejected")]);
    expect(await git(remote, "rev-parse", "refs/heads/feature")).toBe(ahead);
    // A new ref needs no ancestry: dynflow pushes it.
    const created = await pushBranches({ repoDir: clone, remoteUrl: `${server.url}/fastforward.git`, refspecs: [`${aside}:refs/heads/other`], env: plainEnv() });
    expect(created.map((r) => r.status)).toEqual(["created"]);
    expect(clientsSince(requestsBefore).filter((c) => c.endsWith("dynflow"))).toHaveLength(3);
  });

  it("leaves the push to git under a proxy, or with http, url or push settings in git's configuration", async () => {
    const { clone, base } = await remoteAndClone("declined");
    const change = await commitOn(clone, base, "a.txt", "changed\n");
    const pushTo = async (ref: string, env: NodeJS.ProcessEnv) => {
      const before = server.requests.length;
      await pushBranches({ repoDir: clone, remoteUrl: `${server.url}/declined.git`, refspecs: [`+${change}:${ref}`], env });
      return clientsSince(before).map((c) => c.split(" ").pop());
    };

    expect(await pushTo("refs/heads/a", plainEnv({ HTTPS_PROXY: "http://127.0.0.1:9", NO_PROXY: "127.0.0.1" }))).toEqual(["git", "git"]);
    const home = join(work, "home-with-settings");
    await mkdir(home, { recursive: true });
    await writeFile(join(home, ".gitconfig"), "[http]\n\tlowSpeedTime = 600\n");
    expect(await pushTo("refs/heads/c", plainEnv({ HOME: home }))).toEqual(["git", "git"]);
    expect(await pushTo("refs/heads/d", plainEnv())).toEqual(["dynflow", "dynflow"]);
  });

  it("asks git's configuration once per environment, and reads each repository's own file on every push", async () => {
    const home = join(work, "home-plain");
    await mkdir(home, { recursive: true });
    const env = plainEnv({ HOME: home });
    const clones = await Promise.all(["own-a", "own-b"].map((name) => remoteAndClone(name)));
    const pushFrom = async ({ clone, base }: { clone: string; base: string }, ref: string) => {
      const change = await commitOn(clone, base, "a.txt", `${ref}\n`);
      const before = server.requests.length;
      await pushBranches({ repoDir: clone, remoteUrl: `${server.url}/${clone.endsWith("own-a-clone") ? "own-a" : "own-b"}.git`, refspecs: [`+${change}:${ref}`], env });
      return clientsSince(before).map((c) => c.split(" ").pop());
    };
    const [a, b] = clones as [(typeof clones)[0], (typeof clones)[0]];
    const callsBefore = (await logging.calls()).length;
    expect(await pushFrom(a, "refs/heads/first")).toEqual(["dynflow", "dynflow"]);
    expect(await pushFrom(b, "refs/heads/first")).toEqual(["dynflow", "dynflow"]);
    // The second clone's first push asked git nothing: what lies outside a repository was known.
    const asked = () => logging.calls().then((calls) => calls.slice(callsBefore).filter((call) => call.startsWith("config --get-regexp")));
    expect(await asked()).toHaveLength(1);

    // A setting in the repository's own file counts from the next push, whatever was asked before.
    await git(b.clone, "config", "http.lowSpeedTime", "600");
    expect(await pushFrom(b, "refs/heads/second")).toEqual(["git", "git"]);
    await git(b.clone, "config", "--unset", "http.lowSpeedTime");
    await writeFile(join(work, "empty.gitconfig"), "");
    await git(b.clone, "config", "include.path", join(work, "empty.gitconfig"));
    expect(await pushFrom(b, "refs/heads/third")).toEqual(["git", "git"]);
    await git(b.clone, "config", "--unset", "include.path");
    expect(await pushFrom(b, "refs/heads/fourth")).toEqual(["dynflow", "dynflow"]);
    expect(await pushFrom(a, "refs/heads/fourth")).toEqual(["dynflow", "dynflow"]);
    expect(await asked()).toHaveLength(1);
  });

  it("pushes with git when the remote failed before reporting, and the branch arrives once", async () => {
    const { remote, clone, base } = await remoteAndClone("flaky");
    const change = await commitOn(clone, base, "a.txt", "changed\n");
    const before = server.requests.length;
    server.failNext(1, 503);

    const results = await pushBranches({ repoDir: clone, remoteUrl: `${server.url}/flaky.git`, refspecs: [`+${change}:refs/heads/dynflow/r9`], env: plainEnv() });

    expect(results.map((r) => r.status)).toEqual(["created"]);
    expect(clientsSince(before)).toEqual(["GET /info/refs dynflow", "GET /info/refs git", "POST /git-receive-pack git"]);
    expect(await git(remote, "rev-parse", "refs/heads/dynflow/r9")).toBe(change);
  });
});

describe("the pack of a push, built in dynflow's process", () => {
  const author = { name: "dynflow", email: "dynflow@example.invalid" };

  /** A tree on `parent`'s that writes (or, for null, removes) nested paths, through a scratch index: no network. */
  function treeWith(dir: string, parent: string, changes: Record<string, string | null>): string {
    const env = { ...testGitEnv(), GIT_INDEX_FILE: join(dir, `index-${Math.random().toString(36).slice(2)}`) };
    const plumbing = (args: string[], input?: string) => execFileSync("git", args, { cwd: dir, env, ...(input === undefined ? {} : { input }) }).toString("utf8").trim();
    plumbing(["read-tree", parent]);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) plumbing(["update-index", "--index-info"], `0 ${"0".repeat(40)}\t${path}\n`);
      else plumbing(["update-index", "--add", "--cacheinfo", `100644,${plumbing(["hash-object", "-w", "--stdin"], content)},${path}`]);
    }
    const tree = plumbing(["write-tree", "--missing-ok"]);
    execFileSync("rm", ["-f", env.GIT_INDEX_FILE]);
    return tree;
  }

  /** A commit of `tree` on `parents`, written by dynflow's process into the repository, as its agents' and merges' commits are. */
  function commitHere(repository: GitRepository, tree: string, parents: string[]): Promise<string> {
    return repository.writeCommit({ tree, parents, author, committer: author, seconds: 1_700_000_000, message: `on ${parents.join(" ")}\n` });
  }

  /** Pushes `refspecs` from `clone` with the pack built from `repository`; the git processes started meanwhile and the requests the server saw. */
  async function pushWithPacker(name: string, clone: string, refspecs: string[], repository: GitRepository) {
    const callsBefore = (await logging.calls()).length;
    const requestsBefore = server.requests.length;
    const results = await pushBranches({ repoDir: clone, remoteUrl: `${server.url}/${name}.git`, token: TOKEN, refspecs, env: plainEnv(), objects: repository });
    const calls = (await logging.calls()).slice(callsBefore).filter((call) => !call.startsWith("config --get-regexp"));
    return { results, calls, requests: clientsSince(requestsBefore), allRequests: server.requests.length - requestsBefore };
  }

  async function opened(clone: string, base: string): Promise<GitRepository> {
    const repository = await openRepository(clone, { env: plainEnv() });
    // Its long-lived cat-file started before the push: a process of the repository, not of the push.
    await repository.readObject(base);
    return repository;
  }

  it("sends a chain of commits and a merge without a git process, nothing the remote had, no blob fetched by the partial clone", async () => {
    const large = "x".repeat(70_000) + "\n";
    const { remote, clone, base } = await remoteAndClone("packed", { "a.txt": "a\n", "src/lib/deep/b.txt": "b\n", "src/other/c.txt": "c\n", "gone.txt": "gone\n" });
    const repository = await opened(clone, base);
    try {
      const first = await commitHere(repository, treeWith(clone, base, { "src/lib/deep/b.txt": "b changed\n" }), [base]);
      const second = await commitHere(repository, treeWith(clone, first, { "docs/new/large.txt": large, "src/lib/e.txt": "e\n" }), [first]);
      const agent = await commitHere(repository, treeWith(clone, base, { "gone.txt": null, "src/other/c.txt": "c changed\n" }), [base]);
      // The merge of the agent's change into the chain: every file is one side's, at its path.
      const merge = await commitHere(repository, treeWith(clone, second, { "gone.txt": null, "src/other/c.txt": "c changed\n" }), [second, agent]);
      const objectsBefore = await objectsOf(remote);

      const pushed = await pushWithPacker("packed", clone, [`+${merge}:refs/heads/dynflow/r2`, `+${agent}:refs/heads/dynflow/r2-work/agent`], repository);

      expect(pushed.results.map((r) => r.status)).toEqual(["created", "created"]);
      expect(pushed.calls).toEqual([]);
      expect(pushed.requests).toEqual(["GET /info/refs dynflow", "POST /git-receive-pack dynflow"]);
      expect(pushed.allRequests).toBe(2);
      expect(await git(remote, "rev-parse", "refs/heads/dynflow/r2", "refs/heads/dynflow/r2-work/agent")).toBe(`${merge}\n${agent}`);
      expect(await git(remote, "cat-file", "-p", `${merge}:docs/new/large.txt`)).toBe(large.trimEnd());
      expect(await git(remote, "cat-file", "-p", `${merge}:src/other/c.txt`)).toBe("c changed");
      await git(remote, "fsck", "--strict", "--no-dangling");
      // Exactly what the four commits add, as git counts it on the remote: nothing it had came again.
      const added = (await git(remote, "rev-list", "--objects", merge, `^${base}`)).split("\n").length;
      expect((await objectsOf(remote)) - objectsBefore).toBe(added);
    } finally {
      await repository.close();
    }
  });

  it("leaves to git pack-objects commits it did not write, a base the remote no longer advertises, a root commit, a large change, a closed repository", async () => {
    const { remote, clone, base } = await remoteAndClone("unpacked", { "a.txt": "a\n", "b.txt": "b\n" });
    const viaGit = ["pack-objects --revs --stdout -q --delta-base-offset"];
    const repository = await opened(clone, base);
    try {
      // Made by git, not by this process: it may be of the remote's history, whose files a partial clone lacks.
      const byGit = await commitOn(clone, base, "a.txt", "by git\n");
      const notWritten = await pushWithPacker("unpacked", clone, [`+${byGit}:refs/heads/dynflow/by-git`], repository);
      expect(notWritten.calls).toEqual(viaGit);

      const root = await commitHere(repository, treeWith(clone, base, {}), []);
      const rootPush = await pushWithPacker("unpacked", clone, [`+${root}:refs/heads/dynflow/root`], repository);
      expect(rootPush.calls).toEqual(viaGit);

      // More than a pack built in process holds: git deflates it, in its own process.
      const huge = await commitHere(repository, treeWith(clone, base, { "huge.txt": "h".repeat(5 * 1024 * 1024) }), [base]);
      const hugePush = await pushWithPacker("unpacked", clone, [`+${huge}:refs/heads/dynflow/huge`], repository);
      expect(hugePush.results.map((r) => r.status)).toEqual(["created"]);
      expect(hugePush.calls).toEqual(viaGit);

      const later = await commitHere(repository, treeWith(clone, base, { "d.txt": "d\n" }), [base]);
      await repository.close();
      const closedPush = await pushWithPacker("unpacked", clone, [`+${later}:refs/heads/dynflow/closed`], repository);
      expect(closedPush.results.map((r) => r.status)).toEqual(["created"]);
      expect(closedPush.calls).toEqual(viaGit);
    } finally {
      await repository.close();
    }

    // The remote's main moved on: the run's base is no tip of the remote any more, and only git knows it has it.
    const again = await opened(clone, base);
    try {
      await git(remote, "update-ref", "refs/heads/main", await commitOn(remote, base, "b.txt", "moved\n"));
      const change = await commitHere(again, treeWith(clone, base, { "c.txt": "c\n" }), [base]);
      const moved = await pushWithPacker("unpacked", clone, [`+${change}:refs/heads/dynflow/moved`], again);
      expect(moved.results.map((r) => r.status)).toEqual(["created"]);
      expect(moved.calls).toEqual(viaGit);
      await git(remote, "fsck", "--strict", "--no-dangling");
    } finally {
      await again.close();
    }
  });
});

describe("a repository's own settings of a push", () => {
  it("finds http, url, push and include sections in any spelling, and leaves to git what it cannot read", async () => {
    const gitDir = join(work, "settings-only");
    await mkdir(gitDir, { recursive: true });
    const said = async (config: string) => {
      await writeFile(join(gitDir, "config"), config);
      return ownPushSettings(gitDir);
    };
    const plain = '[core]\n\tbare = true\n[remote "origin"]\n\turl = https://example.test/a.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n';
    expect(await said(plain)).toBe("none");
    expect(await said(`${plain}# [http]\n; [url "x"]\n`)).toBe("none");
    for (const header of ['[http "https://example.test"]', "[url \"https://mirror.test/\"]", "[Push]", "  [ http ]", "[http.https://example.test]", '[includeIf "gitdir:/x/"]', "[include]", "[HTTP] sslVerify = false"]) {
      expect(await said(`${plain}${header}\n\tkey = value\n`), header).toBe("some");
    }
    expect(await said(`${plain}[]\n`)).toBe("ask");
    await writeFile(join(gitDir, "config.worktree"), "");
    expect(await said(plain)).toBe("ask");
    expect(ownPushSettings(join(work, "no-such-dir"))).toBe("ask");
  });
});
