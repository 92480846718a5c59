import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepoOverview } from "../../src/plan/build-repo-overview.js";
import type { GitRepository } from "../../src/workspace/index.js";
import { makeRepo, makeWideRepo, openFixture, type FixtureRepo } from "./plan-fixture.js";

describe("buildRepoOverview", () => {
  let wide: FixtureRepo;
  let repository: GitRepository;

  beforeAll(async () => {
    // 6,441 files: 40 packages with manifests, 400 vendored directories, many extensions, long names.
    const paths: string[] = ["README.md"];
    for (let v = 0; v < 400; v++) paths.push(`vendor/lib-${v}/index.js`);
    for (let p = 0; p < 40; p++) {
      paths.push(`packages/pkg-${p}/package.json`);
      for (let f = 0; f < 150; f++) paths.push(`packages/pkg-${p}/src/area-${f % 12}/${"long-name-".repeat(6)}${f}.e${f % 30}`);
    }
    wide = await makeWideRepo(paths, `# Wide\n${"Readme text that goes on. ".repeat(400)}`);
    repository = await openFixture(wide);
  });

  afterAll(async () => {
    await repository.close();
    await wide.remove();
  });

  it("stays within its cap on a repository with thousands of files", async () => {
    const overview = await buildRepoOverview({ repository, commit: wide.head });
    expect(overview.files).toBe(6_441);
    expect(overview.text.length).toBeLessThanOrEqual(12_000);
    expect(overview.text).toContain("Tracked files: 6,441");
    expect(overview.modules).toHaveLength(40);
    expect(overview.modules[0]).toEqual({ name: "packages/pkg-0", globs: ["packages/pkg-0/**"], files: 151 });
    // 441 directories at depth 1-2: the largest are listed, the rest counted.
    expect(overview.text).toMatch(/ {2}packages\/ 6,040\n {2}vendor\/ 400\n {2}packages\/pkg-0\/ 151\n/);
    expect(overview.text).toMatch(/\.\.\. \d+ more not shown/);
    expect(overview.text).toContain("README.md (first 2,000 of");
  });

  it("honours a smaller cap", async () => {
    const overview = await buildRepoOverview({ repository, commit: wide.head, maxChars: 3_000 });
    expect(overview.text.length).toBeLessThanOrEqual(3_000);
  });

  it("uses modules from the config when given", async () => {
    const overview = await buildRepoOverview({
      repository,
      commit: wide.head,
      modules: [{ name: "first-two", globs: ["packages/pkg-0/**", "packages/pkg-1/**"] }],
    });
    expect(overview.modulesSource).toBe("config");
    expect(overview.modules).toEqual([{ name: "first-two", globs: ["packages/pkg-0/**", "packages/pkg-1/**"], files: 302 }]);
    expect(overview.text).toContain("Modules (from the repository config), 1 in all:");
  });

  it("finds a README by any usual name and skips a binary one", async () => {
    const repo = await makeRepo({ "readme.rst": "Title\n=====\n", "README.md": Buffer.from([0, 1, 2]), "src/a.ts": "" });
    const small = await openFixture(repo);
    try {
      const overview = await buildRepoOverview({ repository: small, commit: repo.head });
      expect(overview.readme).toBe("readme.rst");
      expect(overview.text).toContain("<readme>\nTitle\n=====\n\n</readme>");
    } finally {
      await small.close();
      await repo.remove();
    }
  });
});

describe("buildRepoOverview on a monorepo-shaped repository", () => {
  let mono: FixtureRepo;
  let repository: GitRepository;

  beforeAll(async () => {
    // 2,230 files: two small workspace packages beside large application directories.
    const paths: string[] = ["package.json", "README.md"];
    paths.push("packages/ui/package.json", ...Array.from({ length: 9 }, (_, i) => `packages/ui/src/c${i}.tsx`));
    paths.push("packages/config/package.json", ...Array.from({ length: 4 }, (_, i) => `packages/config/c${i}.js`));
    for (let i = 0; i < 1200; i++) paths.push(`server/app/m${i % 40}/f${i}.ts`);
    for (let i = 0; i < 900; i++) paths.push(`web/src/p${i % 30}/f${i}.tsx`);
    for (let i = 0; i < 99; i++) paths.push(`scripts/s${i}.sh`);
    for (let i = 0; i < 14; i++) paths.push(`.github/workflows/w${i}.yml`);
    mono = await makeWideRepo(paths, "# Mono\n");
    repository = await openFixture(mono);
  });

  afterAll(async () => {
    await repository.close();
    await mono.remove();
  });

  it("detects modules covering the application directories too, and says what is not covered", async () => {
    const overview = await buildRepoOverview({ repository, commit: mono.head });
    expect(overview.files).toBe(2_230);
    expect(overview.modules.map((module) => module.name)).toEqual(["packages/config", "packages/ui", "scripts", "server", "web"]);
    expect(overview.modules.reduce((n, module) => n + module.files, 0)).toBe(2_214);
    expect(overview.uncovered).toBe("16 of 2230 files are in no detected module: 14 in .github/, 2 at the root");
    expect(overview.text).toContain("Not covered: 16 of 2230 files are in no detected module");
  });
});
