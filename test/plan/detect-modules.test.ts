import { describe, expect, it } from "vitest";
import { countModuleFiles, describeUncovered, detectModuleCoverage, detectModules } from "../../src/plan/detect-modules.js";

describe("detectModules", () => {
  it("covers the repository: packages with a manifest, and every other directory beside them", () => {
    const files = [
      "package.json",
      "packages/core/package.json",
      "packages/core/src/a.ts",
      "packages/core/src/b.ts",
      "packages/docs-only/README.md",
      "services/api/go.mod",
      "services/api/main.go",
      "src/tool/x.ts",
      "test/a.test.ts",
    ];
    expect(detectModules(files)).toEqual([
      { name: "packages/core", globs: ["packages/core/**"], files: 3 },
      { name: "packages/docs-only", globs: ["packages/docs-only/**"], files: 1 },
      { name: "services/api", globs: ["services/api/**"], files: 2 },
      { name: "src/tool", globs: ["src/tool/**"], files: 1 },
      { name: "test", globs: ["test/**"], files: 1 },
    ]);
  });

  it("splits src/ by its directories, and says what is in no module", () => {
    const files = ["src/index.ts", "src/http/client.ts", "src/http/retry.ts", "src/billing/invoice.ts", "test/a.test.ts", ".github/ci.yml", "README.md"];
    const coverage = detectModuleCoverage(files);
    expect(coverage.modules).toEqual([
      { name: "src/billing", globs: ["src/billing/**"], files: 1 },
      { name: "src/http", globs: ["src/http/**"], files: 2 },
      { name: "test", globs: ["test/**"], files: 1 },
    ]);
    expect(coverage.uncovered).toEqual([
      { place: "(root)", files: 1 },
      { place: ".github/", files: 1 },
      { place: "src/ (files directly in it)", files: 1 },
    ]);
    expect(describeUncovered(coverage, files.length)).toBe("3 of 7 files are in no detected module: 1 at the root, 1 in .github/, 1 in src/ (files directly in it)");
  });

  it("takes a repository of top-level files as one module, and none when it is empty", () => {
    expect(detectModules(["main.py", "setup.py"])).toEqual([{ name: ".", globs: ["**"], files: 2 }]);
    expect(detectModules([])).toEqual([]);
  });

  it("does not let two small workspace packages hide the rest of a monorepo", () => {
    // Two small packages among 2,230 files: the old rule found only them.
    const files = [
      "package.json",
      "packages/ui/package.json",
      ...Array.from({ length: 9 }, (_, i) => `packages/ui/src/c${i}.tsx`),
      "packages/config/package.json",
      ...Array.from({ length: 4 }, (_, i) => `packages/config/c${i}.js`),
      ...Array.from({ length: 1200 }, (_, i) => `server/app/m${i % 40}/f${i}.ts`),
      ...Array.from({ length: 900 }, (_, i) => `web/src/p${i % 30}/f${i}.tsx`),
      ...Array.from({ length: 100 }, (_, i) => `scripts/s${i}.sh`),
      ...Array.from({ length: 14 }, (_, i) => `.github/workflows/w${i}.yml`),
    ];
    const coverage = detectModuleCoverage(files);
    expect(coverage.modules.map((module) => [module.name, module.files])).toEqual([
      ["packages/config", 5],
      ["packages/ui", 10],
      ["scripts", 100],
      ["server", 1200],
      ["web", 900],
    ]);
    const covered = coverage.modules.reduce((n, module) => n + module.files, 0);
    expect(covered + coverage.uncoveredFiles).toBe(files.length);
    expect(covered / files.length).toBeGreaterThan(0.99);
    expect(describeUncovered(coverage, files.length)).toBe(`15 of ${files.length} files are in no detected module: 14 in .github/, 1 at the root`);
  });

  it("never gives one file to two modules", () => {
    const files = ["server/package.json", "server/plugins/x/package.json", "server/plugins/x/a.js", "server/b.js", "packages/a/package.json", "packages/README.md"];
    const coverage = detectModuleCoverage(files);
    expect(coverage.modules.map((module) => module.name)).toEqual(["packages/a", "server"]);
    const counted = coverage.modules.reduce((n, module) => n + module.files, 0) + coverage.uncoveredFiles;
    expect(counted).toBe(files.length);
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
