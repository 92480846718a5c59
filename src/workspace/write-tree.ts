/**
 * Builds the tree of "base tree + changes" by rewriting only the directories
 * on the paths of changed files: cost grows with what changed, not with the
 * size of the repository (no index, no checkout).
 */
import { GitCommandError } from "./errors.js";
import { MODE_TREE, type TreeEntry } from "./tree-listing.js";

/** One entry of a tree object. */
export interface TreeObjectEntry extends TreeEntry {
  name: string;
}

/** A changed file: its new blob and mode, or null when deleted. */
export type FileChange = { oid: string; mode: string } | null;

/** What building a tree needs from the object database. */
export interface TreeStore {
  /** Entries of an existing tree object. */
  readTree(oid: string): Promise<readonly TreeObjectEntry[]>;
  /** Writes a tree object and returns its id. */
  makeTree(entries: readonly TreeObjectEntry[]): Promise<string>;
  /** The id git will give a tree of `entries`, computed without git; null when it cannot be. `entries` are not changed afterwards (a store may keep what it made of them for `makeTree`). */
  treeId?(entries: readonly TreeObjectEntry[]): string | null;
}

/** Parses a raw tree object (`<mode> <name>\0<binary id>` repeated). */
export function parseTreeObject(content: Buffer, hashBytes: number): TreeObjectEntry[] {
  const entries: TreeObjectEntry[] = [];
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    const nul = content.indexOf(0, space);
    if (space < 0 || nul < 0) throw new GitCommandError(["cat-file"], null, "malformed tree object");
    entries.push({
      mode: content.toString("latin1", at, space),
      name: content.toString("utf8", space + 1, nul),
      oid: content.toString("hex", nul + 1, nul + 1 + hashBytes),
    });
    at = nul + 1 + hashBytes;
  }
  return entries;
}

interface DirNode {
  files: Map<string, FileChange>;
  dirs: Map<string, DirNode>;
}

function groupByDirectory(changes: ReadonlyMap<string, FileChange>): DirNode {
  const root: DirNode = { files: new Map(), dirs: new Map() };
  for (const [path, change] of changes) {
    const parts = path.split("/");
    const name = parts.pop() as string;
    let node = root;
    for (const part of parts) {
      let next = node.dirs.get(part);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        node.dirs.set(part, next);
      }
      node = next;
    }
    node.files.set(name, change);
  }
  return root;
}

async function buildDirectory(store: TreeStore, baseOid: string | null, node: DirNode, isRoot: boolean, writes: Promise<void>[]): Promise<string | null> {
  const base = baseOid ? await store.readTree(baseOid) : [];
  const entries = new Map(base.map((e) => [e.name, e]));
  for (const [name, change] of node.files) {
    if (change) entries.set(name, { name, mode: change.mode, oid: change.oid });
    else entries.delete(name);
  }
  const children = [...node.dirs];
  const subtrees = await Promise.all(
    children.map(([name, child]) => {
      const before = base.find((e) => e.name === name);
      return buildDirectory(store, before?.mode === MODE_TREE ? before.oid : null, child, false, writes);
    }),
  );
  for (const [i, [name]] of children.entries()) {
    const subtree = subtrees[i];
    if (subtree) entries.set(name, { name, mode: MODE_TREE, oid: subtree });
    // A directory emptied by deletions disappears, unless a file of that name replaced it.
    else if (entries.get(name)?.mode === MODE_TREE) entries.delete(name);
  }
  if (entries.size === 0 && !isRoot) return null;
  const tree = [...entries.values()];
  const known = store.treeId?.(tree) ?? null;
  if (known === null) return store.makeTree(tree);
  // The id is known before git writes the tree, so the directory above need not wait for it; each write is checked.
  const write = store.makeTree(tree).then((written) => {
    if (written !== known) throw new TreeIdMismatch(written, known);
  });
  // Handled here too: a write that fails after the build itself failed is not left unhandled.
  write.catch(() => undefined);
  writes.push(write);
  return known;
}

/**
 * Reads the trees from `rootTree` down to the directory `dir` ("" is the
 * root), the ones writing a change under it reads, so that a store that
 * keeps what it read has them at hand then.
 */
export async function readTreesOnPath(store: TreeStore, rootTree: string, dir: string): Promise<void> {
  let tree = rootTree;
  for (const name of dir === "" ? [] : dir.split("/")) {
    const entry = (await store.readTree(tree)).find((e) => e.name === name);
    if (entry?.mode !== MODE_TREE) return;
    tree = entry.oid;
  }
  await store.readTree(tree);
}

/**
 * Writes the tree `baseTree` with `changes` applied (paths are full,
 * `/`-separated) and returns its id. Directories left empty are dropped.
 */
export async function writeTree(store: TreeStore, baseTree: string, changes: ReadonlyMap<string, FileChange>): Promise<string> {
  const writes: Promise<void>[] = [];
  const tree = buildDirectory(store, baseTree, groupByDirectory(changes), true, writes);
  try {
    try {
      return (await tree) as string;
    } finally {
      // Every tree is written (or has failed) before the id is used.
      await Promise.all(writes);
    }
  } catch (error) {
    if (!(error instanceof TreeIdMismatch)) throw error;
    // Git wrote a tree other than the one computed (a name that is not UTF-8, say): build it again, one level at a time, as git says.
    return (await buildDirectory({ readTree: (oid) => store.readTree(oid), makeTree: (entries) => store.makeTree(entries) }, baseTree, groupByDirectory(changes), true, [])) as string;
  }
}

/** Git wrote a tree under another id than the one computed in process; never leaves `writeTree`. */
class TreeIdMismatch extends Error {
  constructor(written: string, expected: string) {
    super(`git wrote tree ${written}, expected ${expected}`);
  }
}
