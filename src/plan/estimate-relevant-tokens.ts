/**
 * Estimates how much of the repository a task touches, before any model call:
 * the files it names, plus the files where the identifiers it names occur.
 * Tokens are estimated as bytes / 4 (text files only).
 */
import { WorkspacePathError, type GitRepository } from "../workspace/index.js";
import { extractTaskTerms } from "./extract-task-terms.js";

export interface RelevantOptions {
  repository: GitRepository;
  commit: string;
  task: string;
  /** Most files collected; beyond it the estimate is a lower bound (`capped`). Default 200. */
  maxFiles?: number;
  /** Most identifiers searched. Default 12. */
  maxTerms?: number;
}

export interface RelevantEstimate {
  /** Files the task likely touches, sorted (at most `maxFiles`). */
  files: string[];
  /** Estimated tokens of those files (bytes / 4, rounded up; binary files count 0). */
  tokens: number;
  /** True when more files matched than `maxFiles`: `tokens` is then a lower bound. */
  capped: boolean;
  /**
   * How `files` was found: `task` (named or matched by the task), `repository`
   * (the task matched nothing, and the repository is small enough to take
   * whole), `none` (matched nothing in a repository too large for that).
   */
  basis: "task" | "repository" | "none";
}

export const DEFAULT_MAX_RELEVANT_FILES = 200;
/** Matching lines read per identifier; more lines than this also marks the estimate as capped. */
const MAX_MATCHES_PER_TERM = 2_000;
const READ_CONCURRENCY = 16;

/** See the module comment. */
export async function estimateRelevantTokens(options: RelevantOptions): Promise<RelevantEstimate> {
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_RELEVANT_FILES;
  const all = await options.repository.listFiles(options.commit);
  const terms = extractTaskTerms(options.task, options.maxTerms);

  const found = new Set<string>();
  for (const path of terms.paths) for (const file of resolvePath(path, all)) found.add(file);
  let searchCapped = false;
  if (terms.identifiers.length > 0) {
    const reader = await options.repository.readOnly(options.commit);
    for (const identifier of terms.identifiers) {
      if (found.size > maxFiles) break;
      const matches = await reader.search(wordPattern(identifier), { maxMatches: MAX_MATCHES_PER_TERM });
      if (matches.length >= MAX_MATCHES_PER_TERM) searchCapped = true;
      for (const match of matches) found.add(match.path);
    }
  }

  if (found.size === 0) {
    // Nothing named or matched: the scope is unknown. A small repository is taken whole (an upper
    // bound); a large one is left to the planner model.
    if (all.length === 0 || all.length > maxFiles) return { files: [], tokens: 0, capped: false, basis: "none" };
    return { files: [...all], tokens: await tokensOf(options.repository, options.commit, all), capped: false, basis: "repository" };
  }
  const files = [...found].sort().slice(0, maxFiles);
  const capped = searchCapped || found.size > maxFiles;
  return { files, tokens: await tokensOf(options.repository, options.commit, files), capped, basis: "task" };
}

/** A named path as files: the file itself, every file below a directory, or files with that base name. */
function resolvePath(path: string, all: readonly string[]): string[] {
  const clean = path.replace(/\/+$/, "");
  if (clean === "") return [];
  if (!path.endsWith("/") && binaryHas(all, clean)) return [clean];
  const prefix = `${clean}/`;
  const below = all.filter((file) => file.startsWith(prefix));
  if (below.length > 0 || clean.includes("/")) return below;
  return all.filter((file) => file === clean || file.endsWith(`/${clean}`));
}

function binaryHas(sorted: readonly string[], path: string): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < path) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo] === path;
}

/** `fetchJson` as a whole word, regex metacharacters (`$`, `.`) escaped. */
function wordPattern(identifier: string): RegExp {
  const escaped = identifier.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // `\b` fails next to `$`; a non-identifier character (or the line's edge) on each side works for every
  // identifier, and needs no lookaround, which the linear-time search engine does not run.
  return new RegExp(`(?:^|[^\\w$])${escaped}(?:[^\\w$]|$)`);
}

async function tokensOf(repository: GitRepository, commit: string, files: readonly string[]): Promise<number> {
  let tokens = 0;
  for (let i = 0; i < files.length; i += READ_CONCURRENCY) {
    const chunk = files.slice(i, i + READ_CONCURRENCY);
    const sizes = await Promise.all(chunk.map((file) => textBytes(repository, commit, file)));
    for (const bytes of sizes) tokens += Math.ceil(bytes / 4);
  }
  return tokens;
}

async function textBytes(repository: GitRepository, commit: string, file: string): Promise<number> {
  try {
    const bytes = await repository.readFile(commit, file);
    return bytes.includes(0) ? 0 : bytes.length;
  } catch (error) {
    // Symlinks hold no text an agent would read through them.
    if (error instanceof WorkspacePathError) return 0;
    throw error;
  }
}
