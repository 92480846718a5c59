/**
 * Merges that need no git: when the two sides of a merge change different
 * files and delete none, git's merge (`merge-tree`, the "ort" strategy) takes
 * each side's changes as they are, so the result is one side's tree with the
 * other side's changes laid over it, written without a git process.
 */
import type { RawDiffEntry } from "./git-batch.js";
import type { FileChange } from "./write-tree.js";

/**
 * What to lay over `ours`'s tree to merge `theirs`, both given as their
 * changes from the merge base, or null when git must merge: a side deletes a
 * file (git would look for renames, and a renamed directory can move the
 * other side's new files), a path is changed by both, or a path one side
 * changes is a directory of a path the other side changes.
 */
export function disjointChanges(ours: readonly RawDiffEntry[], theirs: readonly RawDiffEntry[]): Map<string, FileChange> | null {
  if (ours.some((e) => e.deleted) || theirs.some((e) => e.deleted)) return null;
  const oursPaths = new Set(ours.map((e) => e.path));
  const theirsPaths = new Set(theirs.map((e) => e.path));
  for (const e of theirs) if (oursPaths.has(e.path) || inDirectoryOf(e.path, oursPaths)) return null;
  for (const e of ours) if (inDirectoryOf(e.path, theirsPaths)) return null;
  return new Map(theirs.map((e) => [e.path, { oid: e.oid, mode: e.mode }]));
}

/** True when a directory of `path` (a proper prefix ending before a `/`) is one of `paths`. */
function inDirectoryOf(path: string, paths: ReadonlySet<string>): boolean {
  for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) if (paths.has(path.slice(0, slash))) return true;
  return false;
}

/** The parent ids a raw commit object names, in order. */
export function commitParents(object: Buffer): string[] {
  const header = object.toString("utf8", 0, Math.max(0, object.indexOf("\n\n")));
  return header.split("\n").flatMap((line) => (line.startsWith("parent ") ? [line.slice("parent ".length)] : []));
}
