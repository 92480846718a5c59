import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import { CommitNotFoundError, InvalidSearchPatternError, WorkspacePathError } from "../../src/workspace/errors.js";
import { git, makeRepo, removeDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

const FILES = {
  "README.md": "# demo\n",
  "src/api/client.ts": "export function fetchJson(url: string) {\n  return fetch(url);\n}\n",
  "src/api/server.ts": "import { fetchJson } from './client';\nconst a = fetchJson('/a');\nconst b = fetchJson('/b');\n",
  "src/util.ts": "export const answer = 42;\n",
  "docs/guide.md": "Call fetchJson to get data.\nline two\nline three\n",
  ".github/workflows/ci.yml": "on: push\n",
  "assets/logo.bin": "PNG\0\0binary",
};

let repo: FixtureRepo;
let repository: GitRepository;

beforeAll(async () => {
  repo = await makeRepo(FILES, { "docs/link.md": "guide.md" });
  repository = await openRepository(repo.dir, { env: testGitEnv() });
});

afterAll(async () => {
  await repository.close();
  await removeDir(repo.dir);
});

function fork(slug: string) {
  return repository.fork({ runId: "r1", slug, baseCommit: "main" });
}

describe("repository", () => {
  it("resolves revisions to full commit ids and refuses unknown ones", async () => {
    expect(await repository.resolveCommit("main")).toBe(repo.head);
    expect(await repository.resolveCommit(repo.head.slice(0, 10))).toBe(repo.head);
    await expect(repository.resolveCommit("no-such-branch")).rejects.toBeInstanceOf(CommitNotFoundError);
    await expect(repository.resolveCommit("--output=/tmp/x")).rejects.toBeInstanceOf(CommitNotFoundError);
  });

  it("resolves a branch to where it points now, though the repository was opened before it moved", async () => {
    await git(repo.dir, "branch", "moving", "main");
    expect(await repository.resolveCommit("moving")).toBe(repo.head);
    const next = await git(repo.dir, "commit-tree", "-p", repo.head, "-m", "next", `${repo.head}^{tree}`);
    await git(repo.dir, "update-ref", "refs/heads/moving", next);
    expect(await repository.resolveCommit("moving")).toBe(next);
    await git(repo.dir, "pack-refs", "--all");
    expect(await repository.resolveCommit("refs/heads/moving")).toBe(next);
    // A tree is no commit.
    await expect(repository.resolveCommit(await git(repo.dir, "rev-parse", `${repo.head}^{tree}`))).rejects.toBeInstanceOf(CommitNotFoundError);
  });

  it("lists tracked files (symlinks included) sorted, and reads raw bytes", async () => {
    const files = await repository.listFiles("main");
    expect(files).toEqual([...Object.keys(FILES), "docs/link.md"].sort());
    expect((await repository.readFile(repo.head, "src/util.ts")).toString()).toBe(FILES["src/util.ts"]);
    await expect(repository.readFile("main", "nope.txt")).rejects.toMatchObject({ code: "path_not_found" });
  });
});

describe("workspace reads", () => {
  it("reads from the base with line ranges and totals", async () => {
    const ws = await fork("reads");
    const whole = await ws.read("docs/guide.md");
    expect(whole).toMatchObject({ text: FILES["docs/guide.md"], totalLines: 3, startLine: 1, endLine: 3, binary: false });
    const middle = await ws.read("./docs//guide.md", { startLine: 2, endLine: 2 });
    expect(middle).toMatchObject({ path: "docs/guide.md", text: "line two\n", totalLines: 3, startLine: 2, endLine: 2 });
    const tail = await ws.read("docs/guide.md", { startLine: 3, endLine: 99 });
    expect(tail.text).toBe("line three\n");
    const past = await ws.read("docs/guide.md", { startLine: 10 });
    expect(past).toMatchObject({ text: "", totalLines: 3 });
    expect(await ws.read("assets/logo.bin")).toMatchObject({ binary: true, text: "" });
  });

  it("explains why a path cannot be read", async () => {
    const ws = await fork("read-errors");
    await expect(ws.read("src")).rejects.toMatchObject({ code: "path_not_found", message: expect.stringContaining("is a directory") });
    await expect(ws.read("src/missing.ts")).rejects.toMatchObject({ code: "path_not_found" });
    await expect(ws.read("/etc/passwd")).rejects.toMatchObject({ code: "path_absolute" });
    await expect(ws.read("../outside")).rejects.toMatchObject({ code: "path_traversal" });
    await expect(ws.read(".git/config")).rejects.toMatchObject({ code: "path_git_dir" });
    const link = await ws.read("docs/link.md").catch((e: unknown) => e);
    expect(link).toBeInstanceOf(WorkspacePathError);
    expect(link).toMatchObject({ code: "path_symlink", message: expect.stringContaining('"guide.md"') });
  });

  it("sees its own writes and deletions, and lists with globs", async () => {
    const ws = await fork("overlay");
    await ws.write("src/util.ts", "export const answer = 43;\n");
    await ws.write("src/new/thing.ts", "export {};\n");
    await ws.delete("README.md");
    expect((await ws.read("src/util.ts")).text).toBe("export const answer = 43;\n");
    await expect(ws.read("README.md")).rejects.toMatchObject({ code: "path_not_found", message: expect.stringContaining("deleted") });
    expect(await ws.list("src/**")).toEqual(["src/api/client.ts", "src/api/server.ts", "src/new/thing.ts", "src/util.ts"]);
    expect(await ws.list("*.md")).toEqual(["docs/guide.md", "docs/link.md"]);
    expect(await ws.list("src/api/")).toEqual(["src/api/client.ts", "src/api/server.ts"]);
    expect(await ws.list("**/*.{yml,bin}")).toEqual([".github/workflows/ci.yml", "assets/logo.bin"]);
    const all = await ws.list();
    expect(all).toContain("src/new/thing.ts");
    expect(all).not.toContain("README.md");
    expect(all).toEqual([...all].sort());
  });

  it("searches with JavaScript regex semantics, the overlay replacing the base for touched files", async () => {
    const ws = await fork("search");
    expect(await ws.search("fetchJson\\(")).toEqual([
      { path: "src/api/client.ts", line: 1, text: "export function fetchJson(url: string) {" },
      { path: "src/api/server.ts", line: 2, text: "const a = fetchJson('/a');" },
      { path: "src/api/server.ts", line: 3, text: "const b = fetchJson('/b');" },
    ]);
    await ws.write("src/api/server.ts", "import { getJson } from './client';\nconst a = getJson('/a');\nconst z = fetchJson('/z');\n");
    await ws.write("src/extra.ts", "fetchJson('/extra');\n");
    await ws.delete("src/api/client.ts");
    expect(await ws.search("fetchJson\\(")).toEqual([
      { path: "src/api/server.ts", line: 3, text: "const z = fetchJson('/z');" },
      { path: "src/extra.ts", line: 1, text: "fetchJson('/extra');" },
    ]);
    // The base is unchanged for a fresh view of the same commit.
    const base = await repository.readOnly("main");
    expect(await base.search("fetchJson\\(", { glob: "src/**" })).toHaveLength(3);
  });

  it("honours glob, maxMatches and the i flag, and scans in JavaScript when PCRE refuses the pattern", async () => {
    const ws = await fork("search-opts");
    expect((await ws.search("fetchjson", { glob: "*.md" })).length).toBe(0);
    expect(await ws.search(/FETCHJSON/i, { glob: "*.md" })).toEqual([{ path: "docs/guide.md", line: 1, text: "Call fetchJson to get data." }]);
    expect(await ws.search("fetchJson", { maxMatches: 2 })).toEqual([
      { path: "docs/guide.md", line: 1, text: "Call fetchJson to get data." },
      { path: "src/api/client.ts", line: 1, text: "export function fetchJson(url: string) {" },
    ]);
    // `\u0034` is not PCRE syntax, and [^] means "any character" only in JavaScript.
    expect(await ws.search("answer = \\u0034[^]")).toEqual([{ path: "src/util.ts", line: 1, text: "export const answer = 42;" }]);
    await expect(ws.search("(unclosed")).rejects.toBeInstanceOf(InvalidSearchPatternError);
  });

  it("gives read-only views over any commit", async () => {
    const ws = await fork("view");
    await ws.write("src/util.ts", "export const answer = 7;\n");
    const change = await ws.commit({ message: "seven", author: { name: "A", email: "a@example.com" } });
    expect(change).not.toBeNull();
    const after = await repository.readOnly(change!.commit);
    const before = await repository.readOnly(change!.base);
    expect((await after.read("src/util.ts")).text).toBe("export const answer = 7;\n");
    expect((await before.read("src/util.ts")).text).toBe(FILES["src/util.ts"]);
    expect(await after.search("answer = 7")).toEqual([{ path: "src/util.ts", line: 1, text: "export const answer = 7;" }]);
    expect(after.baseCommit).toBe(change!.commit);
    expect("write" in after).toBe(false);
    expect(await git(repo.dir, "rev-parse", "HEAD")).toBe(repo.head);
  });
});
