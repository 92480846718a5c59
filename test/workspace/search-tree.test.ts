/**
 * A search finds the same lines whether the base files are matched in this
 * process (through the long-lived `cat-file`, a whole-file test first) or by
 * `git grep`: anchors, word boundaries, case, CRLF line ends, binary files,
 * symlinks, globs, the overlay and the match limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitStore, promisorOf } from "../../src/workspace/git-store.js";
import { searchTree } from "../../src/workspace/search-tree.js";
import { TreeView } from "../../src/workspace/tree-view.js";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import { makeRemote } from "../durability/app-processes.js";
import { agentChange, bloblessClone, git, loggingGit, makeRepo, removeDir, tempDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

const FILES: Record<string, string | Buffer> = {
  "a.ts": "fetchJson('/a')\n  fetchJson('/b')\nnotfetchJson()\n",
  "b/crlf.ts": "first line\r\nfetchJson(1)\r\nlast\r\n",
  "b/anchors.md": "end with fetchJson\nfetchJson at start\n\n  indented fetchJson x\n",
  "b/nested/deep.ts": "const FETCHJSON = 1;\nconst fetchjson = 2;\n",
  "bin/data.bin": Buffer.from("fetchJson\0binary\n"),
  "no-newline.ts": "tail fetchJson",
};

let repo: FixtureRepo;
let store: GitStore;
let view: TreeView;

beforeAll(async () => {
  repo = await makeRepo(FILES, { "link.ts": "a.ts" });
  store = await GitStore.open(repo.dir, { env: testGitEnv(), token: undefined, log: undefined, listingCacheSize: 4 });
  view = new TreeView(store, await store.listing(repo.head));
  view.overlay.set("a.ts", { content: "fetchJson('/changed')\n", mode: "100644", oid: "0".repeat(40) });
});

afterAll(async () => {
  await store.close();
  await removeDir(repo.dir);
});

const CASES: Array<[string | RegExp, { glob?: string; maxMatches?: number }]> = [
  ["fetchJson", {}],
  ["^fetchJson", {}],
  ["fetchJson$", {}],
  ["\\bfetchJson\\b", {}],
  ["\\BfetchJson", {}],
  ["^$", {}],
  ["^\\s+\\S", {}],
  ["[^a-z]fetchJson", {}],
  [/fetchjson/i, {}],
  ["fetchJson\\(1\\)$", {}],
  ["fetchJson", { glob: "b/**" }],
  ["fetchJson", { glob: "*.ts" }],
  ["fetchJson", { maxMatches: 2 }],
  ["const", { glob: "b/nested/**" }],
  ["nothing matches this", {}],
];

describe("searchTree in this process and through git grep", () => {
  it.each(CASES)("finds the same lines for %s %o", async (pattern, options) => {
    const inProcess = await searchTree(view, pattern, options);
    const grep = await searchTree(view, pattern, options, 0);
    expect(inProcess).toEqual(grep);
  });

  it("reads the overlay instead of the base, and skips binary files and symlinks", async () => {
    const found = await searchTree(view, "fetchJson");
    expect(found.filter((m) => m.path === "a.ts")).toEqual([{ path: "a.ts", line: 1, text: "fetchJson('/changed')" }]);
    expect(found.map((m) => m.path)).not.toContain("bin/data.bin");
    expect(found.map((m) => m.path)).not.toContain("link.ts");
  });
});

describe("a whole-tree search in a complete repository", () => {
  it("asks git nothing about partial clones: without a promisor pack no object can be missing", async () => {
    const repo = await makeRepo({ "a.txt": "alpha\nfind me\n", "dir/b.txt": "beta\n" });
    const logging = await loggingGit();
    const repository = await openRepository(repo.dir, { env: logging.env });
    try {
      const view = await repository.readOnly(repo.head);
      expect(await view.search("find")).toEqual([{ path: "a.txt", line: 2, text: "find me" }]);
      expect((await logging.calls()).filter((call) => call.startsWith("config") || call.startsWith("rev-list"))).toEqual([]);
    } finally {
      await repository.close();
      await removeDir(logging.dir);
      await removeDir(repo.dir);
    }
  });
});

/**
 * A blobless clone of a remote holding two files, opened with a logging git,
 * for `use`; with `extension`, its configuration names its remote as dynflow's
 * own clones do (sync-clone.ts), else as `git clone --filter` leaves it.
 */
async function withPartialClone(
  extension: boolean,
  use: (opened: { repository: GitRepository; clone: string; logging: Awaited<ReturnType<typeof loggingGit>> }) => Promise<void>,
): Promise<void> {
  const work = await tempDir("dynflow-search-partial-");
  const logging = await loggingGit();
  const remote = await makeRemote(work, "origin", { "a.txt": "alpha\nfind me\n", "dir/b.txt": "beta find\n" });
  const clone = await bloblessClone(work, `file://${remote}`);
  if (extension) await git(clone, "config", "extensions.partialClone", "origin");
  const repository = await openRepository(clone, { env: logging.env });
  try {
    await use({ repository, clone, logging });
  } finally {
    await repository.close();
    await removeDir(logging.dir);
    await removeDir(work);
  }
}

describe("a whole-tree search in a partial clone", () => {
  it("fetches a commit's missing files once, and nothing for a commit this process wrote on it", async () => {
    await withPartialClone(true, async ({ repository, clone, logging }) => {
      const asked = async () => (await logging.calls()).filter((call) => /^(rev-list|fetch|-c fetch)/.test(call)).map((call) => call.split(" ").slice(0, 3).join(" "));
      const base = await repository.resolveCommit("refs/heads/main");
      expect(await (await repository.readOnly(base)).search("find")).toEqual([
        { path: "a.txt", line: 2, text: "find me" },
        { path: "dir/b.txt", line: 1, text: "beta find" },
      ]);
      const fetchedForBase = await asked();
      expect(fetchedForBase).toEqual(["rev-list --objects --missing=print", "-c fetch.negotiationAlgorithm=noop fetch"]);

      // An agent's change, written by this process: its files are the base's and its own.
      const change = await agentChange(repository, base, { "dir/c.txt": "gamma find\n" }, "r-4");
      expect((await (await repository.readOnly(change.commit)).search("find")).map((m) => m.path)).toEqual(["a.txt", "dir/b.txt", "dir/c.txt"]);
      expect(await asked()).toEqual(fetchedForBase);

      // A commit git made (one of the remote's, as far as this process knows) is asked about.
      const other = await git(clone, "commit-tree", `${base}^{tree}`, "-p", base, "-m", "elsewhere");
      await (await repository.readOnly(other)).search("find");
      expect((await asked()).slice(fetchedForBase.length)).toEqual(["rev-list --objects --missing=print"]);
    });
  });
});

describe("the remote a partial clone fetches from", () => {
  it("prefetches for a partial clone git made, whose configuration only flags its remote as a promisor", async () => {
    await withPartialClone(false, async ({ repository, logging }) => {
      const base = await repository.resolveCommit("refs/heads/main");
      expect((await (await repository.readOnly(base)).search("find")).map((m) => m.path)).toEqual(["a.txt", "dir/b.txt"]);
      // One request for both files, not one lazy fetch per file.
      const fetches = (await logging.calls()).filter((call) => /^(rev-list|fetch|-c fetch|-c protocol)/.test(call) || call.includes(" fetch "));
      expect(fetches.map((call) => call.split(" ").slice(0, 3).join(" "))).toEqual(["rev-list --objects --missing=print", "-c fetch.negotiationAlgorithm=noop fetch"]);
    });
  });

  it("reads the remote from the extension first, else from the first remote flagged as a promisor", () => {
    expect(promisorOf("remote.origin.promisor true\nextensions.partialclone upstream\n")).toBe("upstream");
    expect(promisorOf("remote.mirror.promisor false\nremote.my.fork.promisor yes\nremote.origin.promisor true\n")).toBe("my.fork");
    expect(promisorOf("remote.Origin.promisor\n")).toBe("Origin");
    expect(promisorOf("remote.origin.promisor 0\n")).toBeNull();
    expect(promisorOf("")).toBeNull();
  });
});

