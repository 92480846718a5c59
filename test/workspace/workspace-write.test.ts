import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkspacePathError, type WorkspacePathErrorCode } from "../../src/workspace/errors.js";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import type { ForkOptions } from "../../src/workspace/types.js";
import { makeRepo, removeDir, testGitEnv, type FixtureRepo } from "./git-fixture.js";

const FILES = {
  "src/a.ts": "const x = 1;\nconst y = 1;\nconst z = 2;\n",
  "src/b.ts": "export {};\n",
  "docs/readme.md": "docs\n",
  ".github/workflows/ci.yml": "on: push\n",
  "latin1.txt": Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
};

let repo: FixtureRepo;
let repository: GitRepository;
let counter = 0;

beforeAll(async () => {
  repo = await makeRepo(FILES, { "linked-dir": "src", "docs/alias.md": "readme.md" });
  repository = await openRepository(repo.dir, { env: testGitEnv() });
});

afterAll(async () => {
  await repository.close();
  await removeDir(repo.dir);
});

function fork(options: Partial<ForkOptions> = {}) {
  return repository.fork({ runId: "w1", slug: `s${counter++}`, baseCommit: repo.head, ...options });
}

async function refusal(action: Promise<unknown>): Promise<WorkspacePathError> {
  const error = await action.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkspacePathError);
  return error as WorkspacePathError;
}

describe("edit", () => {
  it("replaces exactly one occurrence", async () => {
    const ws = await fork();
    await ws.edit("src/a.ts", "const z = 2;", "const z = 3;");
    expect((await ws.read("src/a.ts")).text).toBe("const x = 1;\nconst y = 1;\nconst z = 3;\n");
    await ws.edit("src/a.ts", "const z = 3;", "const z = 4;");
    expect((await ws.read("src/a.ts")).text).toContain("const z = 4;");
  });

  it("says when the old text is absent, and asks for more context when it is ambiguous", async () => {
    const ws = await fork();
    const absent = await refusal(ws.edit("src/a.ts", "const w = 9;", "x"));
    expect(absent.code).toBe("edit_no_match");
    expect(absent.message).toContain("src/a.ts");
    const ambiguous = await refusal(ws.edit("src/a.ts", " = 1;", " = 5;"));
    expect(ambiguous.code).toBe("edit_ambiguous");
    expect(ambiguous.occurrences).toBe(2);
    expect(ambiguous.message).toMatch(/occurs 2 times.*more surrounding lines/);
    expect((await refusal(ws.edit("src/a.ts", "", "x"))).code).toBe("edit_no_match");
    expect((await refusal(ws.edit("latin1.txt", "caf", "cafe"))).message).toContain("not UTF-8");
    expect((await refusal(ws.edit("src/none.ts", "a", "b"))).code).toBe("path_not_found");
    expect((await ws.read("src/a.ts")).text).toBe(FILES["src/a.ts"]);
  });
});

describe("write and delete", () => {
  it("creates, replaces and deletes files; writing the base content back is no change", async () => {
    const ws = await fork();
    await ws.write("src/new.ts", "new\n");
    await ws.write("src/b.ts", "changed\n");
    await ws.delete("docs/readme.md");
    expect(ws.changedFiles()).toEqual([
      { path: "docs/readme.md", status: "deleted" },
      { path: "src/b.ts", status: "modified" },
      { path: "src/new.ts", status: "added" },
    ]);
    await ws.write("src/b.ts", FILES["src/b.ts"]);
    await ws.delete("src/new.ts");
    expect(ws.changedFiles()).toEqual([{ path: "docs/readme.md", status: "deleted" }]);
    expect((await refusal(ws.delete("docs/readme.md"))).code).toBe("path_not_found");
    await ws.write("docs/readme.md", "back\n");
    expect(ws.changedFiles()).toEqual([{ path: "docs/readme.md", status: "modified" }]);
  });

  it("refuses a file inside a file and a file over a directory, until the file is deleted", async () => {
    const ws = await fork();
    expect((await refusal(ws.write("src/b.ts/inner.ts", "x"))).code).toBe("path_conflict");
    expect((await refusal(ws.write("src", "x"))).code).toBe("path_conflict");
    expect((await refusal(ws.delete("src"))).code).toBe("path_conflict");
    await ws.delete("src/b.ts");
    await ws.write("src/b.ts/inner.ts", "now a directory\n");
    expect(await ws.list("src/**")).toEqual(["src/a.ts", "src/b.ts/inner.ts"]);
  });
});

describe("path confinement", () => {
  const cases: [string, WorkspacePathErrorCode, string][] = [
    ["/etc/passwd", "path_absolute", "absolute"],
    ["C:\\Windows\\x", "path_absolute", "absolute"],
    ["src/../../escape.ts", "path_traversal", '".."'],
    ["../x", "path_traversal", '".."'],
    [".git/hooks/pre-commit", "path_git_dir", ".git"],
    ["sub/.git/config", "path_git_dir", ".git"],
    ["sub/.GIT/config", "path_git_dir", ".git"],
    ["src/a\nb.ts", "path_invalid", "control"],
    ["", "path_invalid", "root"],
    ["./", "path_invalid", "root"],
  ];
  for (const [path, code, words] of cases) {
    it(`refuses ${JSON.stringify(path)} with ${code}`, async () => {
      const ws = await fork();
      const error = await refusal(ws.write(path, "x"));
      expect(error.code).toBe(code);
      expect(error.message).toContain(words);
      expect(error.path).toBe(path);
    });
  }

  it("refuses writing through a committed symlink, and writing the symlink itself", async () => {
    const ws = await fork();
    const through = await refusal(ws.write("linked-dir/evil.ts", "x"));
    expect(through.code).toBe("path_symlink");
    expect(through.message).toContain('"linked-dir" (to "src")');
    const itself = await refusal(ws.write("docs/alias.md", "x"));
    expect(itself.code).toBe("path_symlink");
    expect((await refusal(ws.edit("docs/alias.md", "readme", "x"))).code).toBe("path_symlink");
    expect((await refusal(ws.delete("linked-dir"))).code).toBe("path_symlink");
    expect(ws.changedFiles()).toEqual([]);
  });

  it("refuses protected paths by default and by configuration", async () => {
    const ws = await fork();
    const error = await refusal(ws.write(".github/workflows/ci.yml", "on: pull_request\n"));
    expect(error.code).toBe("path_protected");
    expect(error.message).toContain(".github/workflows/**");
    expect((await refusal(ws.delete(".github/workflows/ci.yml"))).code).toBe("path_protected");
    const custom = await fork({ protectedPaths: ["docs/**"] });
    expect((await refusal(custom.write("docs/readme.md", "x"))).code).toBe("path_protected");
    await custom.write(".github/workflows/new.yml", "on: push\n");
    expect(custom.changedFiles()).toEqual([{ path: ".github/workflows/new.yml", status: "added" }]);
  });

  it("refuses writes outside the write scopes and names the scopes", async () => {
    const ws = await fork({ writeScopes: ["src/**", "*.md"] });
    await ws.write("src/deep/ok.ts", "ok\n");
    await ws.write("NOTES.md", "ok\n");
    const error = await refusal(ws.write("docs/readme.md", "no\n"));
    expect(error.code).toBe("path_outside_scope");
    expect(error.allowed).toEqual(["src/**", "*.md"]);
    expect(error.message).toContain('"src/**", "*.md"');
    expect((await refusal(ws.edit("docs/readme.md", "docs", "x"))).code).toBe("path_outside_scope");
    const readOnly = await fork({ writeScopes: [] });
    expect((await refusal(readOnly.write("src/a.ts", "x"))).message).toContain("read-only");
    // Protected wins over scope.
    const wide = await fork({ writeScopes: ["**"] });
    expect((await refusal(wide.write(".github/workflows/x.yml", "x"))).code).toBe("path_protected");
  });
});

describe("apply (another change's files as the workspace's own edits)", () => {
  it("applies a change that replaced a file by a directory, or a directory by a file (deletions first), and commits it as one commit on the base", async () => {
    const earlier = await fork();
    await earlier.delete("docs/readme.md");
    await earlier.write("docs/readme.md/index.md", "moved\n");
    await earlier.edit("src/a.ts", "const z = 2;", "const z = 3;");
    const made = (await earlier.commit({ message: "earlier", author: { name: "t", email: "t@example.com" } }))!;

    const next = await fork();
    await next.apply(await repository.layerBetween(repo.head, made.commit));
    expect(next.changedFiles()).toEqual([
      { path: "docs/readme.md", status: "deleted" },
      { path: "docs/readme.md/index.md", status: "added" },
      { path: "src/a.ts", status: "modified" },
    ]);
    const change = (await next.commit({ message: "next", author: { name: "t", email: "t@example.com" } }))!;
    expect(change.commit).not.toBe(made.commit);
    expect(await repository.diff(repo.head, change.commit)).toBe(await repository.diff(repo.head, made.commit));

    // And back: a directory replaced by a file, which the change lists before the files it deletes.
    const flat = await fork();
    await flat.delete("src/a.ts");
    await flat.delete("src/b.ts");
    await flat.write("src", "now a file\n");
    const flattened = (await flat.commit({ message: "flat", author: { name: "t", email: "t@example.com" } }))!;
    const layer = await repository.layerBetween(repo.head, flattened.commit);
    expect(layer.map((f) => f.path)).toEqual(["src", "src/a.ts", "src/b.ts"]);
    const again = await fork();
    await again.apply(layer);
    expect((await again.read("src")).text).toBe("now a file\n");
  });

  it("refuses what the workspace could not write itself: a path out of scope or protected, a symbolic link, bytes that are not UTF-8", async () => {
    const file = (path: string, content: string | Buffer | null, symlink = false) => ({
      path,
      content: typeof content === "string" ? Buffer.from(content) : content,
      executable: false,
      symlink,
    });
    const scoped = await fork({ writeScopes: ["src/**"] });
    expect((await refusal(scoped.apply([file("src/b.ts", "ok\n"), file("docs/readme.md", "no\n")]))).code).toBe<WorkspacePathErrorCode>("path_outside_scope");
    expect((await refusal((await fork()).apply([file(".github/workflows/ci.yml", "on: pull_request\n")]))).code).toBe<WorkspacePathErrorCode>("path_protected");
    expect((await refusal((await fork()).apply([file("src/new-link", "a.ts", true)]))).code).toBe<WorkspacePathErrorCode>("path_symlink");
    const latin1 = await refusal((await fork()).apply([file("notes.txt", Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]))]));
    expect(latin1.code).toBe<WorkspacePathErrorCode>("path_not_text");
    expect(latin1.message).toBe('"notes.txt" is not UTF-8 text in the change; a workspace holds only text files');
  });
});
