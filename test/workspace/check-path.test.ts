import { describe, expect, it } from "vitest";
import { compileListGlob, createWritePolicy, normalizePath } from "../../src/workspace/check-path.js";
import { WorkspacePathError } from "../../src/workspace/errors.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkspacePathError);
    return (error as WorkspacePathError).code;
  }
}

describe("normalizePath", () => {
  it("normalises harmless spellings", () => {
    expect(normalizePath("./src//a.ts")).toBe("src/a.ts");
    expect(normalizePath("src/./a.ts/")).toBe("src/a.ts");
    expect(normalizePath(".github/dynflow.yml")).toBe(".github/dynflow.yml");
    expect(normalizePath("a..b/c")).toBe("a..b/c");
    expect(normalizePath(".gitignore")).toBe(".gitignore");
  });

  it("refuses absolute, traversing, .git and unusable paths", () => {
    expect(codeOf(() => normalizePath("/abs"))).toBe("path_absolute");
    expect(codeOf(() => normalizePath("\\\\server\\share"))).toBe("path_absolute");
    expect(codeOf(() => normalizePath("D:/x"))).toBe("path_absolute");
    expect(codeOf(() => normalizePath("a/../b"))).toBe("path_traversal");
    expect(codeOf(() => normalizePath(".git"))).toBe("path_git_dir");
    expect(codeOf(() => normalizePath("x/.Git./hooks"))).toBe("path_git_dir");
    expect(codeOf(() => normalizePath("GIT~1/config"))).toBe("path_git_dir");
    expect(codeOf(() => normalizePath("a\0b"))).toBe("path_invalid");
    expect(codeOf(() => normalizePath("."))).toBe("path_invalid");
  });
});

describe("createWritePolicy", () => {
  it("protects .github/workflows by default, and only the configured paths otherwise", () => {
    const check = createWritePolicy({});
    expect(codeOf(() => check(".github/workflows/ci.yml"))).toBe("path_protected");
    expect(codeOf(() => check(".github/dependabot.yml"))).toBeUndefined();
    const custom = createWritePolicy({ protectedPaths: ["secrets/**", "*.pem"] });
    expect(codeOf(() => custom(".github/workflows/ci.yml"))).toBeUndefined();
    expect(codeOf(() => custom("secrets/a/b"))).toBe("path_protected");
    expect(codeOf(() => custom("key.pem"))).toBe("path_protected");
  });

  it("limits writes to the scopes (dotfiles included) when scopes are given", () => {
    const check = createWritePolicy({ writeScopes: ["src/**", "docs/*.md"] });
    expect(codeOf(() => check("src/a/.hidden"))).toBeUndefined();
    expect(codeOf(() => check("docs/a.md"))).toBeUndefined();
    expect(codeOf(() => check("docs/deep/a.md"))).toBe("path_outside_scope");
    expect(codeOf(() => check("package.json"))).toBe("path_outside_scope");
  });
});

describe("compileListGlob", () => {
  it("matches base names for globs without a slash and everything below a trailing slash", () => {
    expect(compileListGlob("*.ts")("a/b/c.ts")).toBe(true);
    expect(compileListGlob("src/")("src/a/b.ts")).toBe(true);
    expect(compileListGlob("src/*.ts")("src/a/b.ts")).toBe(false);
    expect(compileListGlob(undefined)("anything")).toBe(true);
  });
});
