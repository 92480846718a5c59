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

/** Parent directories whose children are workspace packages when they hold a manifest. */
const PACKAGE_PARENTS = ["packages", "apps", "libs", "services"];

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

/**
 * Detects modules, first rule that finds any wins:
 * 1. workspace packages: `packages/*`, `apps/*`, `libs/*`, `services/*` directories with a manifest;
 * 2. directories directly under `src/`;
 * 3. the repository root as one module (none for an empty repository).
 * Sorted by name.
 */
export function detectModules(files: readonly string[]): RepoModule[] {
  const packages = countByDirectory(files, (parts) => {
    const [parent = "", name, manifest = ""] = parts;
    const isPackage = parts.length === 3 && PACKAGE_PARENTS.includes(parent) && MANIFESTS.has(manifest);
    return isPackage ? `${parent}/${name}` : undefined;
  });
  const packageDirs = [...packages.keys()];
  if (packageDirs.length > 0) return toModules(packageDirs, files);

  const sourceDirs = countByDirectory(files, (parts) => (parts.length >= 3 && parts[0] === "src" ? `src/${parts[1]}` : undefined));
  if (sourceDirs.size > 0) return toModules([...sourceDirs.keys()], files);

  return files.length > 0 ? [{ name: ".", globs: ["**"], files: files.length }] : [];
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

function countByDirectory(files: readonly string[], dirOf: (parts: string[]) => string | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of files) {
    const dir = dirOf(file.split("/"));
    if (dir !== undefined) counts.set(dir, (counts.get(dir) ?? 0) + 1);
  }
  return counts;
}

function toModules(dirs: string[], files: readonly string[]): RepoModule[] {
  return dirs.sort().map((dir) => {
    const prefix = `${dir}/`;
    let count = 0;
    for (const file of files) if (file.startsWith(prefix)) count += 1;
    return { name: dir, globs: [`${dir}/**`], files: count };
  });
}
