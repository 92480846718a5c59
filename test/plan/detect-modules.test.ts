import { describe, expect, it } from "vitest";
import { countModuleFiles, detectModules } from "../../src/plan/detect-modules.js";

describe("detectModules", () => {
  it("finds workspace packages that have a manifest, with their file counts", () => {
    const files = [
      "package.json",
      "packages/core/package.json",
      "packages/core/src/a.ts",
      "packages/core/src/b.ts",
      "packages/docs-only/README.md",
      "services/api/go.mod",
      "services/api/main.go",
      "src/tool/x.ts",
    ];
    expect(detectModules(files)).toEqual([
      { name: "packages/core", globs: ["packages/core/**"], files: 3 },
      { name: "services/api", globs: ["services/api/**"], files: 2 },
    ]);
  });

  it("falls back to directories under src/ when there are no packages", () => {
    const files = ["src/index.ts", "src/http/client.ts", "src/http/retry.ts", "src/billing/invoice.ts", "test/a.test.ts"];
    expect(detectModules(files)).toEqual([
      { name: "src/billing", globs: ["src/billing/**"], files: 1 },
      { name: "src/http", globs: ["src/http/**"], files: 2 },
    ]);
  });

  it("takes the whole repository as one module otherwise, and none when it is empty", () => {
    expect(detectModules(["main.py", "lib/util.py"])).toEqual([{ name: ".", globs: ["**"], files: 2 }]);
    expect(detectModules([])).toEqual([]);
  });
});

describe("countModuleFiles", () => {
  it("counts the files each configured module's globs match, dotfiles included", () => {
    const files = ["api/.eslintrc", "api/a.ts", "api/b.ts", "web/app.tsx", "web/app.css"];
    expect(
      countModuleFiles(
        [
          { name: "api", globs: ["api/**"] },
          { name: "web-ts", globs: ["web/**/*.tsx", "web/**/*.ts"] },
          { name: "empty", globs: [] },
        ],
        files,
      ),
    ).toEqual([
      { name: "api", globs: ["api/**"], files: 3 },
      { name: "web-ts", globs: ["web/**/*.tsx", "web/**/*.ts"], files: 1 },
      { name: "empty", globs: [], files: 0 },
    ]);
  });
});
