/**
 * Attack class: paths that read as something else. Git's own `verify_path`
 * refuses `.git` in spellings a case-insensitive or Windows filesystem takes
 * for `.git` (HFS+ ignorable code points, NTFS streams and 8.3 names);
 * protected paths must hold in the same spellings; control, bidi and line
 * separator characters make a name display as another; and a path deep
 * enough to fail at commit time lost the worker's whole commit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWritePolicy, normalizePath } from "../../src/workspace/check-path.js";
import { WorkspacePathError } from "../../src/workspace/errors.js";
import { openRepository, type GitRepository } from "../../src/workspace/open-repository.js";
import { makeRepo, removeDir, testGitEnv, type FixtureRepo } from "../workspace/git-fixture.js";

function refusal(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkspacePathError);
    return (error as WorkspacePathError).code;
  }
}

describe("paths", () => {
  it.each([
    [".g\u200cit/config", "HFS+ ignorable code point"],
    [".\u200dgit/hooks/pre-commit", "HFS+ ignorable code point"],
    [".git\ufeff/config", "byte order mark"],
    [".GIT\u206a/config", "HFS+ ignorable code point, upper case"],
    [".git::$INDEX_ALLOCATION/config", "NTFS alternate data stream"],
    [".git:stream", "NTFS stream"],
    ["git~1/config", "8.3 short name"],
    ["GIT~1./config", "8.3 short name with a trailing dot"],
    ["a\\.git\\config", "backslash-separated .git"],
    [".git . ./config", "trailing dots and spaces"],
  ])("refuses %j (%s) as .git", (path) => {
    expect(refusal(() => normalizePath(path))).toBe("path_git_dir");
  });

  it.each([
    ["src/\u202eexe.ts", "right-to-left override"],
    ["src/a\u2066b.ts", "bidi isolate"],
    ["src/a\u2028b.ts", "line separator"],
    ["src/a\u2029b.ts", "paragraph separator"],
    ["src/a\u0085b.ts", "next line"],
    ["src/a\u061cb.ts", "Arabic letter mark"],
  ])("refuses %j (%s)", (path) => {
    expect(refusal(() => normalizePath(path))).toBe("path_invalid");
  });

  it.each([".GitHub/Workflows/ci.yml", ".github/workflows./ci.yml", ".github /workflows/ci.yml", ".github/WORKFLOWS/ci.yml", ".github/work\u200cflows/ci.yml", ".github/workflows/ci.yml::$DATA"])(
    "protects %j like .github/workflows/**",
    (path) => {
      expect(refusal(() => createWritePolicy({})(normalizePath(path)))).toBe("path_protected");
    },
  );
});

describe("a very deep path", () => {
  let repo: FixtureRepo;
  let repository: GitRepository;
  beforeAll(async () => {
    repo = await makeRepo({ "README.md": "# r\n" });
    repository = await openRepository(repo.dir, { env: testGitEnv() });
  });
  afterAll(async () => {
    await repository.close();
    await removeDir(repo.dir);
  });

  it("is a tool error at write time, and the worker's other edits still commit", async () => {
    const ws = await repository.fork({ runId: "r1", slug: "deep", baseCommit: "main" });
    await ws.write("src/kept.ts", "export const kept = 1;\n");
    await expect(ws.write(`${"d/".repeat(1500)}f.ts`, "x")).rejects.toMatchObject({ code: "path_invalid", message: expect.stringContaining("directories deep") });
    const change = await ws.commit({ message: "kept", author: { name: "dynflow", email: "bot@example.com" } });
    expect(change?.files.map((f) => f.path)).toEqual(["src/kept.ts"]);
  });
});
