/**
 * The flattened file list of one commit (`git ls-tree -r`), sorted, with the
 * mode and object id of every entry, plus directory lookups by prefix.
 * Built once per commit and shared by every workspace forked from it.
 */

/** Git file modes that matter to the workspace. */
export const MODE_FILE = "100644";
export const MODE_EXECUTABLE = "100755";
export const MODE_SYMLINK = "120000";
export const MODE_GITLINK = "160000";
export const MODE_TREE = "40000";

export interface TreeEntry {
  mode: string;
  oid: string;
}

/** Orders paths the way the listing is sorted; used for binary searches. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first element of sorted `paths` that is >= `key`. */
export function lowerBound(paths: readonly string[], key: string): number {
  let lo = 0;
  let hi = paths.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((paths[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The entries of one commit, flattened; immutable once built. */
export class TreeListing {
  /** Every entry path (files, symlinks, submodules), sorted. */
  readonly paths: readonly string[];
  /** Regular files and symlinks only (what `list` shows), sorted. */
  readonly files: readonly string[];

  constructor(
    readonly commit: string,
    private readonly entries: ReadonlyMap<string, TreeEntry>,
  ) {
    this.paths = [...entries.keys()].sort(comparePaths);
    this.files = Object.freeze(this.paths.filter((p) => entries.get(p)?.mode !== MODE_GITLINK));
  }

  get(path: string): TreeEntry | undefined {
    return this.entries.get(path);
  }

  /** The listing of `commit`, made of this one with `changes` applied (null: the path is deleted). */
  withChanges(commit: string, changes: ReadonlyMap<string, TreeEntry | null>): TreeListing {
    const entries = new Map(this.entries);
    for (const [path, entry] of changes) {
      if (entry === null) entries.delete(path);
      else entries.set(path, entry);
    }
    return new TreeListing(commit, entries);
  }

  /** Entry paths inside directory `dir` (any depth), sorted. */
  under(dir: string): readonly string[] {
    const prefix = `${dir}/`;
    const start = lowerBound(this.paths, prefix);
    let end = start;
    while (end < this.paths.length && (this.paths[end] as string).startsWith(prefix)) end++;
    return this.paths.slice(start, end);
  }

  /** True when `dir` is a directory of this commit. */
  isDirectory(dir: string): boolean {
    const prefix = `${dir}/`;
    const at = this.paths[lowerBound(this.paths, prefix)];
    return at !== undefined && at.startsWith(prefix);
  }
}

/** Parses `git ls-tree -r -z --full-tree <commit>` output. */
export function parseLsTree(commit: string, output: Buffer): TreeListing {
  const entries = new Map<string, TreeEntry>();
  for (const record of output.toString("utf8").split("\0")) {
    if (record === "") continue;
    const tab = record.indexOf("\t");
    const [mode, , oid] = record.slice(0, tab).split(" ");
    if (mode === undefined || oid === undefined) continue;
    entries.set(record.slice(tab + 1), { mode, oid });
  }
  return new TreeListing(commit, entries);
}
