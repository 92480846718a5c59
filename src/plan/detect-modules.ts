/**
 * Finds the modules of a repository from its file list alone (pure), for
 * planning and for `repo.modules()` when the config defines none.
 */
import { compileGlob } from "../patterns/index.js";

/** A part of the repository a fan-out can give to one agent. */
export interface RepoModule {
  name: string;
  /** Globs (picomatch) of the module's files. */
  globs: string[];
  /** Tracked files the globs match. */
  files: number;
}

/** A module as repository config declares it (no file count yet). */
export interface ModuleDefinition {
  name: string;
  globs: string[];
}

/** Build manifests that mark a directory as a package, across ecosystems. */
const MANIFESTS = new Set([
  "package.json",
  "Cargo.toml",
  "go.mod",
  "pyproject.toml",
  "setup.py",
  "pom.xml",
  "build.gradle",
  "build.gradle.kts",
  "composer.json",
  "Gemfile",
  "mix.exs",
  "deno.json",
]);

/** Directories that are never a module of their own: hidden ones (`.github/`) and vendored code. */
const SKIPPED_DIRS = /^(\.|node_modules$|vendor$|third_party$)/;

/** What detection left out: files in no module, and where they are. */
export interface ModuleCoverage {
  modules: RepoModule[];
  /** Tracked files in no module. */
  uncoveredFiles: number;
  /** Where they are, largest first: `(root)` for files at the top level, else a directory. */
  uncovered: { place: string; files: number }[];
}

/**
 * Detects modules so that together they cover the repository:
 * 1. packages: directories one or two levels down with a build manifest
 *    (`server/package.json`, `packages/api/Cargo.toml`); the outermost wins;
 * 2. every other file goes to its top-level directory, or, where that
 *    directory holds packages, to its second-level directory beside them, and
 *    under `src/` to `src/<child>`;
 * 3. files at the root, in hidden directories (`.github/`) and vendored code
 *    are left out and counted in `uncovered`.
 * No two modules share a file. Sorted by name.
 */
export function detectModuleCoverage(files: readonly string[]): ModuleCoverage {
  const packages = new Set<string>();
  for (const file of files) {
    const parts = file.split("/");
    if ((parts.length === 2 || parts.length === 3) && MANIFESTS.has(parts.at(-1) ?? "") && !parts.slice(0, -1).some((dir) => SKIPPED_DIRS.test(dir))) {
      packages.add(parts.slice(0, -1).join("/"));
    }
  }
  // The outermost package wins: `server/` over `server/plugins/x/`.
  for (const dir of [...packages]) if (dir.includes("/") && packages.has(dir.split("/")[0] ?? "")) packages.delete(dir);
  const holdsPackages = new Set([...packages].filter((dir) => dir.includes("/")).map((dir) => dir.split("/")[0] ?? ""));

  const counts = new Map<string, number>();
  const uncovered = new Map<string, number>();
  const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const file of files) {
    const parts = file.split("/");
    const [top = ""] = parts;
    if (parts.length === 1) add(uncovered, "(root)");
    else if (SKIPPED_DIRS.test(top)) add(uncovered, `${top}/`);
    else if (packages.has(top)) add(counts, top);
    else if (holdsPackages.has(top) || top === "src") {
      const second = `${top}/${parts[1]}`;
      if (parts.length === 2) add(uncovered, `${top}/ (files directly in it)`);
      else add(counts, second);
    } else add(counts, top);
  }
  // A repository of top-level files only is one module.
  if (counts.size === 0 && files.length > 0 && uncovered.size === 1 && uncovered.has("(root)")) {
    return { modules: [{ name: ".", globs: ["**"], files: files.length }], uncoveredFiles: 0, uncovered: [] };
  }
  const modules = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, count]) => ({ name, globs: [`${name}/**`], files: count }));
  const places = [...uncovered.entries()].map(([place, count]) => ({ place, files: count })).sort((a, b) => b.files - a.files || (a.place < b.place ? -1 : 1));
  return { modules, uncoveredFiles: places.reduce((n, place) => n + place.files, 0), uncovered: places };
}

/** The detected modules (`detectModuleCoverage` without what it left out). */
export function detectModules(files: readonly string[]): RepoModule[] {
  return detectModuleCoverage(files).modules;
}

/** "130 of 2,230 files are in no module: 90 at the root, 40 in .github/" — or null when every file is in one. */
export function describeUncovered(coverage: ModuleCoverage, totalFiles: number): string | null {
  if (coverage.uncoveredFiles === 0) return null;
  const shown = coverage.uncovered.slice(0, 5).map((place) => `${place.files} ${place.place === "(root)" ? "at the root" : `in ${place.place}`}`);
  const more = coverage.uncovered.length > 5 ? `, and ${coverage.uncovered.length - 5} more places` : "";
  return `${coverage.uncoveredFiles} of ${totalFiles} files are in no detected module: ${shown.join(", ")}${more}`;
}

/** Counts the files matched by each configured module's globs. */
export function countModuleFiles(modules: readonly ModuleDefinition[], files: readonly string[]): RepoModule[] {
  return modules.map((module) => {
    const matchers = module.globs.map((glob) => compileGlob(glob));
    let count = 0;
    for (const file of files) if (matchers.some((match) => match(file))) count += 1;
    return { name: module.name, globs: [...module.globs], files: count };
  });
}
