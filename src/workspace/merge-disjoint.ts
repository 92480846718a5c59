/**
 * Merges that need no git: when the two sides of a merge change different
 * files and delete none, git's merge (`merge-tree`, the "ort" strategy) takes
 * each side's changes as they are, so the result is one side's tree with the
 * other side's changes laid over it, written without a git process.
 */
import { MODE_TREE, type TreeEntry } from "./tree-listing.js";
import type { FileChange, TreeStore } from "./write-tree.js";

/** A path that differs between two trees: its entry in the second, or null where it is gone. */
export interface TreeChange {
  path: string;
  entry: TreeEntry | null;
}

/**
 * What differs from tree `from` to tree `to`, file by file, as
 * `git diff-tree -r --no-renames` lists it (a submodule is one entry),
 * reading only the subtrees whose ids differ. Null stands for no tree.
 */
export async function diffTrees(store: TreeStore, from: string | null, to: string | null, prefix = ""): Promise<TreeChange[]> {
  if (from === to) return [];
  // One side absent (a commit's whole listing, a directory added or removed): its entries as they are, no name matching.
  if (from === null || to === null) return allEntries(store, (from ?? to) as string, prefix, to !== null);
  const [before, after] = await Promise.all([entriesOf(store, from), entriesOf(store, to)]);
  const changes: TreeChange[] = [];
  const nested: Promise<TreeChange[]>[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const x = before.get(name);
    const y = after.get(name);
    if (x && y && x.mode === y.mode && x.oid === y.oid) continue;
    const path = prefix + name;
    const xTree = x?.mode === MODE_TREE ? x.oid : null;
    const yTree = y?.mode === MODE_TREE ? y.oid : null;
    if (xTree !== null || yTree !== null) nested.push(diffTrees(store, xTree, yTree, `${path}/`));
    const xFile = x !== undefined && xTree === null;
    const yFile = y !== undefined && yTree === null;
    if (xFile && !yFile) changes.push({ path, entry: null });
    if (yFile) changes.push({ path, entry: { mode: y.mode, oid: y.oid } });
  }
  return [...changes, ...(await Promise.all(nested)).flat()];
}

/** Every file below `tree`: as added (its entry) when `added`, else as deleted. */
async function allEntries(store: TreeStore, tree: string, prefix: string, added: boolean): Promise<TreeChange[]> {
  const changes: TreeChange[] = [];
  const nested: Promise<TreeChange[]>[] = [];
  for (const e of await store.readTree(tree)) {
    if (e.mode === MODE_TREE) nested.push(allEntries(store, e.oid, `${prefix}${e.name}/`, added));
    else changes.push({ path: prefix + e.name, entry: added ? { mode: e.mode, oid: e.oid } : null });
  }
  return [...changes, ...(await Promise.all(nested)).flat()];
}

async function entriesOf(store: TreeStore, tree: string | null): Promise<Map<string, TreeEntry>> {
  return new Map((tree === null ? [] : await store.readTree(tree)).map((e) => [e.name, e]));
}

/**
 * What to lay over `ours`'s tree to merge `theirs`, both given as their
 * changes from the merge base, or null when git must merge: a side deletes a
 * file (git would look for renames, and a renamed directory can move the
 * other side's new files), a path is changed by both, or a path one side
 * changes is a directory of a path the other side changes.
 */
export function disjointChanges(ours: readonly TreeChange[], theirs: readonly TreeChange[]): Map<string, FileChange> | null {
  if (ours.some((e) => e.entry === null) || theirs.some((e) => e.entry === null)) return null;
  const oursPaths = new Set(ours.map((e) => e.path));
  const theirsPaths = new Set(theirs.map((e) => e.path));
  for (const e of theirs) if (oursPaths.has(e.path) || inDirectoryOf(e.path, oursPaths)) return null;
  for (const e of ours) if (inDirectoryOf(e.path, theirsPaths)) return null;
  return new Map(theirs.map((e) => [e.path, e.entry]));
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
