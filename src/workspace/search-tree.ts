/**
 * Line search over a tree with its overlay. Files the workspace changed are
 * searched in memory; the untouched rest with `git grep -P` on the base
 * commit (or, for a few thousand files or fewer, read through the
 * repository's long-lived `cat-file` and matched here), whose hits are
 * re-checked so results have the pattern's JavaScript meaning. Every match in this process runs on the linear-time engine
 * (patterns come from models); PCRE in the git child gets a low backtracking
 * limit. When PCRE cannot take the pattern or gives up on it, every base file
 * is scanned here instead (slower, same results).
 */
import { StringDecoder } from "node:string_decoder";
import { compileLinearRegex, PatternError, type LinearRegex } from "../patterns/index.js";
import { compileListGlob } from "./check-path.js";
import { GitCommandError, InvalidSearchPatternError } from "./errors.js";
import { gitFailure, startGit } from "./run-git.js";
import { MODE_SYMLINK } from "./tree-listing.js";
import type { SearchMatch, SearchOptions } from "./types.js";
import { isBinary } from "./slice-lines.js";
import type { GitStore } from "./git-store.js";
import type { TreeListing } from "./tree-listing.js";

const DEFAULT_MAX_MATCHES = 200;
const MAX_TEXT = 400;
/**
 * PCRE backtracking steps per line in `git grep`: enough for ordinary
 * patterns; a pathological one fails fast and the linear scan takes over.
 */
const PCRE_MATCH_LIMIT = 100_000;
/**
 * Up to this many candidate base files, a search reads them through the
 * repository's long-lived `cat-file` (their contents cached) and matches them
 * here instead of starting `git grep`: starting a process costs more than
 * matching a module's files, and a run's agents search the same files again
 * and again. Larger searches (a whole big repository) go to `git grep`.
 */
export const IN_PROCESS_SEARCH_MAX_FILES = 2_000;

/** A `RegExp` argument is read for its source and flags only: it never runs here. */
function toLinearRegex(pattern: string | RegExp): LinearRegex {
  const source = typeof pattern === "string" ? pattern : pattern.source;
  try {
    return compileLinearRegex(source, typeof pattern === "string" ? "" : pattern.flags);
  } catch (error) {
    if (error instanceof PatternError) throw new InvalidSearchPatternError(source, error.reason);
    throw error;
  }
}

function byPathThenLine(a: SearchMatch, b: SearchMatch): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line;
}

/**
 * The pattern over a whole file with `^` and `$` at line ends: it matches a
 * file whenever it matches one of its lines (line ends look to `^`, `$` and
 * `\b` as the ends of a line do), so a file it does not match is skipped
 * without testing line by line, which costs far more.
 */
function wholeFileFilter(regex: LinearRegex): LinearRegex {
  return regex.flags.includes("m") ? regex : compileLinearRegex(regex.source, `${regex.flags}m`);
}

function matchLines(path: string, text: string, regex: LinearRegex, out: SearchMatch[], max: number, whole?: LinearRegex): void {
  if (whole !== undefined && !whole.test(text)) return;
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (let i = 0; i < lines.length && out.length < max; i++) {
    const line = lines[i] as string;
    if (regex.test(line)) out.push({ path, line: i + 1, text: line.slice(0, MAX_TEXT) });
  }
}

/** What a search reads of a tree view (a `TreeView`): the changed files over the listing of the base commit, and the store. */
export interface SearchedTree {
  readonly baseCommit: string;
  readonly listing: TreeListing;
  readonly overlay: ReadonlyMap<string, { content: string } | null>;
  readonly store: Pick<GitStore, "prefetch" | "context" | "readObject" | "log">;
}

/**
 * Searches a view (overlay applied) line by line; results sorted by path then
 * line, at most `maxMatches`. `inProcessMaxFiles` (tests) moves the point
 * where `git grep` takes over.
 */
export async function searchTree(
  view: SearchedTree,
  pattern: string | RegExp,
  options: SearchOptions = {},
  inProcessMaxFiles = IN_PROCESS_SEARCH_MAX_FILES,
): Promise<SearchMatch[]> {
  const regex = toLinearRegex(pattern);
  const max = Math.max(1, Math.floor(options.maxMatches ?? DEFAULT_MAX_MATCHES));
  const inGlob = compileListGlob(options.glob);
  const wanted = (path: string) => !view.overlay.has(path) && view.listing.get(path)?.mode !== MODE_SYMLINK && inGlob(path);

  const whole = wholeFileFilter(regex);
  const changed: SearchMatch[] = [];
  const overlayPaths = [...view.overlay.keys()].sort();
  for (const path of overlayPaths) {
    const file = view.overlay.get(path);
    if (file && inGlob(path) && !file.content.includes("\0")) matchLines(path, file.content, regex, changed, max, whole);
  }

  await view.store.prefetch(view.baseCommit);
  const candidates = view.listing.files.filter(wanted);
  let base: SearchMatch[];
  try {
    base = candidates.length <= inProcessMaxFiles ? await scanBase(view, candidates, regex, whole, max) : await grepBase(view, regex, wanted, max);
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    view.store.log?.debug({ pattern: regex.source, error: error.message }, "git grep refused the pattern; scanning in JavaScript");
    base = await scanBase(view, candidates, regex, whole, max);
  }
  return [...changed, ...base].sort(byPathThenLine).slice(0, max);
}

/** Runs `git grep -P` on the base commit, streaming, until `max` accepted hits. */
function grepBase(view: SearchedTree, regex: LinearRegex, wanted: (path: string) => boolean, max: number): Promise<SearchMatch[]> {
  const ctx = view.store.context();
  const args = ["grep", "-P", "-I", "-n", "-z", "--no-color", "--no-column", ...(regex.flags.includes("i") ? ["-i"] : []), "-e", `(*LIMIT_MATCH=${PCRE_MATCH_LIMIT})${regex.source}`, view.baseCommit, "--"];
  const prefix = `${view.baseCommit}:`;
  return new Promise((resolve, reject) => {
    const child = startGit(ctx, args);
    const hits: SearchMatch[] = [];
    const decoder = new StringDecoder("utf8");
    let pending = "";
    let stderr = "";
    let done = false;
    child.stdin.end();
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.stdout.on("data", (chunk: Buffer) => {
      if (done) return;
      pending += decoder.write(chunk);
      for (;;) {
        const pathEnd = pending.indexOf("\0");
        const lineEnd = pathEnd < 0 ? -1 : pending.indexOf("\0", pathEnd + 1);
        const textEnd = lineEnd < 0 ? -1 : pending.indexOf("\n", lineEnd + 1);
        if (textEnd < 0) break;
        const raw = pending.slice(0, pathEnd);
        const path = raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
        const text = pending.slice(lineEnd + 1, textEnd);
        const line = Number(pending.slice(pathEnd + 1, lineEnd));
        pending = pending.slice(textEnd + 1);
        if (wanted(path) && regex.test(text)) hits.push({ path, line, text: text.slice(0, MAX_TEXT) });
        if (hits.length >= max) {
          done = true;
          child.kill();
          resolve(hits);
          return;
        }
      }
    });
    child.on("error", (error) => reject(gitFailure(ctx, args, null, stderr, error)));
    child.on("close", (code) => {
      if (done) return;
      if (code === 0 || code === 1) resolve(hits);
      else reject(gitFailure(ctx, args, code, stderr));
    });
  });
}

/** Reads the base files in `paths` (sorted) and matches them in JavaScript, in path order, until `max` hits. */
async function scanBase(view: SearchedTree, paths: readonly string[], regex: LinearRegex, whole: LinearRegex, max: number): Promise<SearchMatch[]> {
  const hits: SearchMatch[] = [];
  const CHUNK = 32;
  for (let i = 0; i < paths.length && hits.length < max; i += CHUNK) {
    const chunk = paths.slice(i, i + CHUNK);
    const contents = await Promise.all(chunk.map((path) => view.store.readObject(view.listing.get(path)?.oid as string)));
    for (const [j, bytes] of contents.entries()) {
      if (!isBinary(bytes)) matchLines(chunk[j] as string, bytes.toString("utf8"), regex, hits, max, whole);
    }
  }
  return hits;
}
