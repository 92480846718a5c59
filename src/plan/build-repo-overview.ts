/**
 * Gathers what the planner model sees of a repository: the file list, the
 * modules (configured or detected) and the README, rendered into a bounded
 * overview.
 */
import { WorkspacePathError, type GitRepository } from "../workspace/index.js";
import { countModuleFiles, describeUncovered, detectModuleCoverage, type ModuleDefinition, type RepoModule } from "./detect-modules.js";
import { renderRepoOverview } from "./render-repo-overview.js";

export interface RepoOverviewOptions {
  repository: GitRepository;
  commit: string;
  /** Modules from the repository config; detected from the file list when omitted or empty. */
  modules?: readonly ModuleDefinition[];
  /** Hard cap on the overview text. Default 12,000 characters. */
  maxChars?: number;
  /** Characters of the README to include. Default 2,000. */
  readmeChars?: number;
}

export interface RepoOverview {
  /** The bounded text for the prompt. Repository content: fence it as untrusted. */
  text: string;
  /** Tracked files at the commit. */
  files: number;
  modules: RepoModule[];
  modulesSource: "config" | "detected";
  /** What the detected modules leave out ("130 of 2,230 files are in no detected module: …"); null when nothing, or when configured. */
  uncovered: string | null;
  /** Path of the README excerpted, or null. */
  readme: string | null;
}

/** README names looked for at the root, in order of preference (matched case-insensitively). */
const README_NAMES = ["readme.md", "readme", "readme.markdown", "readme.rst", "readme.txt"];

/** Builds the overview of `commit`; its `text` never exceeds `maxChars`. */
export async function buildRepoOverview(options: RepoOverviewOptions): Promise<RepoOverview> {
  const files = await options.repository.listFiles(options.commit);
  const configured = options.modules !== undefined && options.modules.length > 0;
  const coverage = configured ? null : detectModuleCoverage(files);
  const modules = coverage ? coverage.modules : countModuleFiles(options.modules ?? [], files);
  const modulesSource = configured ? "config" : "detected";
  const uncovered = coverage ? describeUncovered(coverage, files.length) : null;
  const readme = await readReadme(options.repository, options.commit, files);
  const text = renderRepoOverview({
    files,
    modules,
    modulesSource,
    uncovered,
    readme,
    maxChars: options.maxChars,
    readmeChars: options.readmeChars,
  });
  return { text, files: files.length, modules, modulesSource, uncovered, readme: readme?.path ?? null };
}

async function readReadme(repository: GitRepository, commit: string, files: readonly string[]) {
  const atRoot = files.filter((file) => !file.includes("/"));
  for (const name of README_NAMES) {
    const path = atRoot.find((file) => file.toLowerCase() === name);
    if (path === undefined) continue;
    let bytes: Buffer;
    try {
      bytes = await repository.readFile(commit, path);
    } catch (error) {
      // A README that is a symlink or submodule is skipped, not fatal.
      if (error instanceof WorkspacePathError) continue;
      throw error;
    }
    if (bytes.includes(0)) continue;
    return { path, text: bytes.toString("utf8") };
  }
  return null;
}
