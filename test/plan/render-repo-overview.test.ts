import { describe, expect, it } from "vitest";
import { detectModules } from "../../src/plan/detect-modules.js";
import { renderRepoOverview } from "../../src/plan/render-repo-overview.js";

describe("renderRepoOverview", () => {
  const files = ["README.md", "src/http/client.ts", "src/http/retry.ts", "src/index.ts", "docs/guide.md", ".gitignore"];

  it("lists files, languages, directories largest first, modules and the README", () => {
    const text = renderRepoOverview({
      files,
      modules: detectModules(files),
      modulesSource: "detected",
      readme: { path: "README.md", text: "# Demo\nA small library." },
    });
    expect(text).toContain("Tracked files: 6");
    expect(text).toMatch(/\.ts 3\n {2}\.md 2\n {2}\(no extension\) 1/);
    expect(text).toMatch(/src\/ 3\n {2}src\/http\/ 2\n {2}docs\/ 1/);
    expect(text).toContain("(files at the root) 2");
    expect(text).toContain("Modules (detected from the file list), 2 in all:\n  docs: 1 file (docs/**)\n  src/http: 2 files (src/http/**)");
    expect(text).toContain("README.md (complete):\n<readme>\n# Demo\nA small library.\n</readme>");
  });

  it("excerpts a long README and says so", () => {
    const text = renderRepoOverview({
      files,
      modules: [],
      modulesSource: "config",
      readme: { path: "README.md", text: "x".repeat(5_000) },
      readmeChars: 100,
    });
    expect(text).toContain("README.md (first 100 of 5,000 characters):");
    expect(text).toContain(`<readme>\n${"x".repeat(100)}\n</readme>`);
    expect(text).toContain("Modules (from the repository config): none");
  });

  it("never exceeds its cap, even a tiny one", () => {
    const many = Array.from({ length: 3_000 }, (_, i) => `dir${i}/sub${i}/file${i}.ext${i % 50}`);
    for (const maxChars of [12_000, 2_000, 50, 10]) {
      const text = renderRepoOverview({ files: many, modules: detectModules(many), modulesSource: "detected", readme: null, maxChars });
      expect(text.length).toBeLessThanOrEqual(maxChars);
    }
  });
});
