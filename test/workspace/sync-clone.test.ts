import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitCommandError, InvalidRemoteUrlError } from "../../src/workspace/errors.js";
import { rememberCreatedRepository } from "../../src/workspace/git-store.js";
import { openRepository } from "../../src/workspace/open-repository.js";
import { pushBranches } from "../../src/workspace/push-branches.js";
import { originSection, syncClone } from "../../src/workspace/sync-clone.js";
import { git, loggingGit, makeRepo, removeDir, show, tempDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

const TOKEN = "ghs_TopSecretToken1234567890";
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
const AUTHOR = { name: "W", email: "w@example.com" };

let source: FixtureRepo;
let work: string;

/** Missing (not yet fetched) objects of a partial clone. */
async function missingObjects(dir: string): Promise<string[]> {
  const out = await git(dir, "rev-list", "--objects", "--missing=print", "--all");
  return out.split("\n").filter((line) => line.startsWith("?"));
}

function errorText(error: unknown): string {
  const e = error as GitCommandError;
  return [String(e), e.message, e.stderr, JSON.stringify(e.args), JSON.stringify(e), String(e.cause)].join("\n");
}

beforeAll(async () => {
  source = await makeRepo({ "a.txt": "alpha\n", "b.txt": "beta\n", "dir/c.txt": "gamma\nfind me\n" });
  await git(source.dir, "config", "uploadpack.allowFilter", "true");
  work = await tempDir();
});

afterAll(async () => {
  await removeDir(source.dir);
  await removeDir(work);
});

describe("syncClone", () => {
  it("writes the clone's remote as git config reads it, even for a URL with quotes, backslashes and comment signs", async () => {
    const dir = join(work, "config-only");
    await git(work, "init", "-q", "--bare", dir);
    const url = 'https://example.com/o/a"b\\c;d#e.git';
    await appendFile(join(dir, "config"), originSection(url));
    expect(await git(dir, "config", "--get", "remote.origin.url")).toBe(url);
    expect((await git(dir, "config", "--get-regexp", "^(remote|extensions)\\.")).split("\n")).toEqual([
      `remote.origin.url ${url}`,
      "remote.origin.fetch +refs/heads/*:refs/remotes/origin/*",
      "remote.origin.promisor true",
      "remote.origin.partialclonefilter blob:none",
      "extensions.partialclone origin",
    ]);
  });

  it("creates a blobless clone whose blobs are fetched lazily on read", async () => {
    const dir = join(work, "clone");
    const logging = await loggingGit();
    const synced = await syncClone({ cloneUrl: `file://${source.dir}`, dir, env: logging.env });
    expect(synced).toEqual({ dir, commit: source.head, created: true });
    // Three git processes: the remote's settings are written with the configuration, not by one `git config` each.
    expect((await logging.calls()).map((call) => call.split(" ")[0])).toEqual(["init", "fetch", "rev-parse"]);
    await removeDir(logging.dir);
    expect(await git(dir, "rev-parse", "--is-bare-repository")).toBe("true");
    expect(await git(dir, "rev-parse", "refs/remotes/origin/main")).toBe(source.head);
    expect(await git(dir, "for-each-ref", "refs/heads")).toBe("");
    expect(await missingObjects(dir)).toHaveLength(3);

    const repository = await openRepository(dir, { env: testGitEnv() });
    try {
      expect((await repository.readFile(synced.commit, "a.txt")).toString()).toBe("alpha\n");
      expect(await missingObjects(dir)).toHaveLength(2);
      const ws = await repository.fork({ runId: "sync", slug: "edit", baseCommit: synced.commit });
      await ws.edit("b.txt", "beta", "BETA");
      const change = await ws.commit({ message: "edit in a partial clone", author: AUTHOR });
      expect(change!.files).toEqual([{ path: "b.txt", status: "modified", additions: 1, deletions: 1 }]);
      // A whole-tree search fetches what is missing in one go.
      expect(await ws.search("find")).toEqual([{ path: "dir/c.txt", line: 2, text: "find me" }]);
      expect(await missingObjects(dir)).toHaveLength(0);
      // Workspace branches go back to the origin with one push.
      await pushBranches({ repoDir: dir, remoteUrl: `file://${source.dir}`, refspecs: [`+refs/heads/${change!.branch}:refs/heads/${change!.branch}`], env: testGitEnv() });
      expect(await show(source.dir, change!.branch, "b.txt")).toBe("BETA\n");
    } finally {
      await repository.close();
    }
  });

  it("starts no git maintenance after a new clone's first fetch nor after a file fetched on demand; a later sync's fetch keeps it", async () => {
    // git's own trace of every process and what it started, through the operator's global configuration (which git may read).
    const traces = await tempDir("dynflow-trace2-");
    const events = join(traces, "events");
    await mkdir(events);
    await writeFile(join(traces, "gitconfig"), `[trace2]\n\teventTarget = ${events}\n`);
    const env = { ...testGitEnv(), GIT_CONFIG_GLOBAL: join(traces, "gitconfig") };
    /** What git processes started since the last call: "<parent command> -> <child command>". */
    const seen = new Set<string>();
    const started = async () => {
      const children: string[] = [];
      for (const file of await readdir(events)) {
        if (seen.has(file)) continue;
        seen.add(file);
        const lines = (await readFile(join(events, file), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { event: string; argv?: string[] });
        const command = lines.find((event) => event.event === "start")?.argv?.slice(1).find((arg) => !arg.startsWith("-")) ?? "?";
        for (const child of lines.filter((event) => event.event === "child_start")) children.push(`${command} -> ${child.argv!.slice(1).find((arg) => !arg.startsWith("-") && !arg.includes("=")) ?? "?"}`);
      }
      return children;
    };
    const dir = join(work, "maintained");
    try {
      const synced = await syncClone({ cloneUrl: `file://${source.dir}`, dir, env });
      expect((await started()).filter((child) => child.endsWith("maintenance"))).toEqual([]);

      const repository = await openRepository(dir, { env });
      try {
        expect((await repository.readFile(synced.commit, "a.txt")).toString()).toBe("alpha\n");
      } finally {
        await repository.close();
      }
      const onDemand = await started();
      expect(onDemand).toContain("cat-file -> fetch");
      expect(onDemand.filter((child) => child.endsWith("maintenance"))).toEqual([]);

      const next = await makeRepo({ "a.txt": "alpha 2\n" });
      try {
        await git(next.dir, "config", "uploadpack.allowFilter", "true");
        await syncClone({ cloneUrl: `file://${next.dir}`, dir, env });
        expect(await started()).toContain("fetch -> maintenance");
      } finally {
        await removeDir(next.dir);
      }
    } finally {
      await removeDir(traces);
    }
  });

  it("opens a clone it created without a git process to locate it; a repository naming its object format is located by git", async () => {
    const dir = join(work, "located");
    const logging = await loggingGit();
    const synced = await syncClone({ cloneUrl: `file://${source.dir}`, dir, env: logging.env });
    const repository = await openRepository(dir, { env: logging.env });
    try {
      expect((await repository.readFile(synced.commit, "a.txt")).toString()).toBe("alpha\n");
      expect((await logging.calls()).filter((call) => call.startsWith("rev-parse --absolute-git-dir"))).toEqual([]);
    } finally {
      await repository.close();
    }

    // SHA-256: what `init` wrote names the format, and git is asked where and how the objects are kept.
    const other = join(work, "sha256.git");
    await git(work, "init", "-q", "--bare", "--object-format=sha256", other);
    rememberCreatedRepository(other, other, await readFile(join(other, "config"), "utf8"));
    const sha256 = await openRepository(other, { env: logging.env });
    try {
      expect((await logging.calls()).filter((call) => call.startsWith("rev-parse --absolute-git-dir"))).toHaveLength(1);
    } finally {
      await sha256.close();
      await removeDir(logging.dir);
    }
  });

  it("fetches into an existing clone, leaving local branches alone, and resolves refs and commit ids", async () => {
    const dir = join(work, "clone2");
    const first = await syncClone({ cloneUrl: `file://${source.dir}`, dir, env: testGitEnv() });
    await git(dir, "update-ref", "refs/heads/dynflow/local/keep", first.commit);
    await git(source.dir, "checkout", "-q", "-b", "feature");
    await git(source.dir, "commit", "-q", "--allow-empty", "-m", "feature work");
    const feature = await git(source.dir, "rev-parse", "HEAD");
    await git(source.dir, "checkout", "-q", "main");

    const byBranch = await syncClone({ cloneUrl: `file://${source.dir}`, dir, ref: "feature", env: testGitEnv() });
    expect(byBranch).toEqual({ dir, commit: feature, created: false });
    expect(await git(dir, "rev-parse", "refs/remotes/origin/feature")).toBe(feature);
    expect(await git(dir, "rev-parse", "refs/heads/dynflow/local/keep")).toBe(first.commit);
    expect((await syncClone({ cloneUrl: `file://${source.dir}`, dir, ref: "refs/heads/main", env: testGitEnv() })).commit).toBe(source.head);
    expect((await syncClone({ cloneUrl: `file://${source.dir}`, dir, ref: feature, env: testGitEnv() })).commit).toBe(feature);
    await expect(syncClone({ cloneUrl: `file://${source.dir}`, dir, ref: "--upload-pack=evil", env: testGitEnv() })).rejects.toMatchObject({
      code: "invalid_ref_name",
    });
  });

  it("answers a commit id it fetched within the hour without git fetching again; branches always fetch", async () => {
    const remote = await makeRepo({ "a.txt": "one\n" });
    await git(remote.dir, "config", "uploadpack.allowFilter", "true");
    const dir = join(work, "trusted");
    let now = 1_000_000;
    const clock = { now: () => now };
    const sync = (ref?: string) => syncClone({ cloneUrl: `file://${remote.dir}`, dir, ref, env: testGitEnv(), clock });
    try {
      expect(await sync(remote.head)).toEqual({ dir, commit: remote.head, created: true });
      // The remote is gone: only an answer that needs no fetch can succeed.
      await removeDir(remote.dir);
      now += 59 * 60 * 1000;
      expect(await sync(remote.head)).toEqual({ dir, commit: remote.head, created: false });
      await expect(sync("main")).rejects.toBeInstanceOf(GitCommandError);
      now += 2 * 60 * 1000;
      await expect(sync(remote.head)).rejects.toBeInstanceOf(GitCommandError);
    } finally {
      await removeDir(remote.dir);
    }
  });
});

describe("syncClone at a commit id", () => {
  it("does not fetch again a commit this process synced into the clone, and fetches any other", async () => {
    const dir = join(work, "clone-held");
    const first = await syncClone({ cloneUrl: `file://${source.dir}`, dir, env: testGitEnv() });
    await git(source.dir, "commit", "-q", "--allow-empty", "-m", "newer");
    const newer = await git(source.dir, "rev-parse", "HEAD");
    expect((await syncClone({ cloneUrl: `file://${source.dir}`, dir, ref: newer, env: testGitEnv() })).commit).toBe(newer);

    // Remote gone (same URL): only a sync that needs no fetch can succeed.
    const moved = `${source.dir}-away`;
    await rename(source.dir, moved);
    try {
      expect(await syncClone({ cloneUrl: `file://${source.dir}`, dir, ref: newer, env: testGitEnv() })).toEqual({ dir, commit: newer, created: false });
      // The clone holds the first commit too (fetched by branch, not by id): it is fetched again, and that fails here.
      await expect(syncClone({ cloneUrl: `file://${source.dir}`, dir, ref: first.commit, env: testGitEnv() })).rejects.toBeInstanceOf(GitCommandError);
    } finally {
      await rename(moved, source.dir);
    }
  });
});

describe("syncClone of a commit the caller may have already", () => {
  it("asks only when the syncs queued before it are done, and fetches nothing when the commit is there", async () => {
    const dir = join(work, "clone-present");
    const first = await syncClone({ cloneUrl: `file://${source.dir}`, dir, env: testGitEnv() });
    await git(source.dir, "commit", "-q", "--allow-empty", "-m", "one more");
    const newer = await git(source.dir, "rev-parse", "HEAD");
    const moved = `${source.dir}-gone`;
    const order: string[] = [];
    try {
      const fetched = syncClone({ cloneUrl: `file://${source.dir}`, dir, ref: newer, env: testGitEnv() }).then(() => order.push("fetched"));
      const answered = syncClone({
        cloneUrl: `file://${source.dir}`,
        dir,
        ref: first.commit,
        env: testGitEnv(),
        present: async () => {
          order.push("asked");
          // From here on a fetch would fail: the answer must come without one.
          await rename(source.dir, moved);
          return true;
        },
      });
      expect(await answered).toEqual({ dir, commit: first.commit, created: false });
      await fetched;
      expect(order).toEqual(["fetched", "asked"]);
      // Without the caller's word, the same commit is fetched (and that fails with the remote gone).
      await expect(syncClone({ cloneUrl: `file://${source.dir}`, dir, ref: first.commit, env: testGitEnv(), present: async () => false })).rejects.toBeInstanceOf(GitCommandError);
    } finally {
      await rename(moved, source.dir).catch(() => undefined);
    }
  });
});

describe("token handling", () => {
  let server: Server;
  let seen: IncomingHttpHeaders[];
  let url: string;

  beforeAll(async () => {
    seen = [];
    server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(403, { "content-type": "text/plain" }).end(`denied ${TOKEN}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/owner/repo.git`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends the token as a Basic authorization header, never in argv, config or error text", async () => {
    const dir = join(work, "http-clone");
    const error = await syncClone({ cloneUrl: url, dir, token: TOKEN, env: testGitEnv() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]?.authorization).toBe(`Basic ${BASIC}`);
    expect(errorText(error)).not.toContain(TOKEN);
    expect(errorText(error)).not.toContain(BASIC);
    expect(await readFile(join(dir, "config"), "utf8")).not.toContain(TOKEN);
  });

  it("scrubs the token from git's own error output", async () => {
    const error = await syncClone({ cloneUrl: `file:///nonexistent/${TOKEN}/repo.git`, dir: join(work, "scrub"), token: TOKEN, env: testGitEnv() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as GitCommandError).stderr).toContain("/nonexistent/***/repo.git");
    expect(errorText(error)).not.toContain(TOKEN);
  });

  it("scrubs the token from push errors", async () => {
    const error = await pushBranches({ repoDir: source.dir, remoteUrl: url, token: TOKEN, refspecs: ["refs/heads/main:refs/heads/main"], env: testGitEnv() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitCommandError);
    expect(seen.at(-1)?.authorization).toBe(`Basic ${BASIC}`);
    expect(errorText(error)).not.toContain(TOKEN);
  });

  it("refuses URLs that carry credentials without echoing them", async () => {
    const error = await syncClone({ cloneUrl: `https://x-access-token:${TOKEN}@github.com/o/r.git`, dir: join(work, "never") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRemoteUrlError);
    expect(String(error)).not.toContain(TOKEN);
  });
});
