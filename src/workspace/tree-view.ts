/**
 * Reads over one commit's tree with an optional in-memory overlay of changed
 * files on top. A read-only view is a TreeView with an empty overlay; a
 * workspace shares its overlay with its TreeView, so reads see its writes.
 */
import { compileListGlob, normalizePath } from "./check-path.js";
import { WorkspacePathError } from "./errors.js";
import type { GitStore } from "./git-store.js";
import { searchTree } from "./search-tree.js";
import { MODE_GITLINK, MODE_SYMLINK, type TreeListing } from "./tree-listing.js";
import { sliceLines } from "./slice-lines.js";
import type { ReadOptions, ReadResult, SearchMatch, SearchOptions, WorkspaceReader } from "./types.js";

/** A file written in a workspace; `oid` is its blob id (written to git only on commit or diff). */
export interface OverlayFile {
  content: string;
  mode: string;
  oid: string;
}

/** Changed paths of a workspace: new content, or null for a deletion. */
export type Overlay = Map<string, OverlayFile | null>;

/** Reads over a commit plus an overlay; also the path checks that need the tree. */
export class TreeView implements WorkspaceReader {
  constructor(
    readonly store: GitStore,
    readonly listing: TreeListing,
    readonly overlay: Overlay = new Map(),
  ) {}

  get baseCommit(): string {
    return this.listing.commit;
  }

  async list(glob?: string): Promise<string[]> {
    const match = compileListGlob(glob);
    const out: string[] = [];
    for (const path of this.listing.files) if (!this.overlay.has(path) && match(path)) out.push(path);
    if (this.overlay.size === 0) return out;
    for (const [path, file] of this.overlay) if (file && match(path)) out.push(path);
    return out.sort();
  }

  async read(path: string, options?: ReadOptions): Promise<ReadResult> {
    const clean = normalizePath(path);
    return sliceLines(clean, await this.bytesOf(clean, path), options);
  }

  search(pattern: string | RegExp, options?: SearchOptions): Promise<SearchMatch[]> {
    return searchTree(this, pattern, options);
  }

  /** Current bytes of a normalised path; throws a `WorkspacePathError` naming why it cannot be read. */
  async bytesOf(clean: string, asGiven: string = clean): Promise<Buffer> {
    const changed = this.overlay.get(clean);
    if (changed) return Buffer.from(changed.content, "utf8");
    if (changed === null) throw new WorkspacePathError("path_not_found", asGiven, `"${clean}" was deleted in this workspace`);
    await this.refuseSymlink(clean, asGiven, "read");
    const entry = this.listing.get(clean);
    if (entry && entry.mode !== MODE_GITLINK) return this.store.readObject(entry.oid);
    if (entry) throw new WorkspacePathError("path_not_found", asGiven, `"${clean}" is a submodule, not a file`);
    if (this.isDirectory(clean)) {
      throw new WorkspacePathError("path_not_found", asGiven, `"${clean}" is a directory; list it with the glob "${clean}/**"`);
    }
    throw new WorkspacePathError("path_not_found", asGiven, `"${clean}" does not exist; use list (e.g. glob "**/${clean.split("/").pop()}") to find files`);
  }

  /** True when `path` is a file (or symlink) of the tree with the overlay applied. */
  exists(path: string): boolean {
    const changed = this.overlay.get(path);
    if (changed !== undefined) return changed !== null;
    const entry = this.listing.get(path);
    return entry !== undefined && entry.mode !== MODE_GITLINK;
  }

  /** True when some file of the tree (overlay applied) lies below `dir`. */
  isDirectory(dir: string): boolean {
    const prefix = `${dir}/`;
    for (const [path, file] of this.overlay) if (file && path.startsWith(prefix)) return true;
    return this.listing.under(dir).some((path) => this.overlay.get(path) !== null);
  }

  /** Throws `path_symlink` when `path` or one of its parents is a symlink of the base tree. */
  async refuseSymlink(path: string, asGiven: string, action: "read" | "write"): Promise<void> {
    const parts = path.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      const entry = this.listing.get(prefix);
      if (entry?.mode !== MODE_SYMLINK || this.overlay.has(prefix)) continue;
      const target = (await this.store.readObject(entry.oid)).toString("utf8");
      const message =
        prefix === path
          ? `"${path}" is a symbolic link (to "${target}"); agents cannot ${action} through symbolic links, ${action} the file it points to instead`
          : `"${asGiven}" goes through the symbolic link "${prefix}" (to "${target}"); agents cannot ${action} through symbolic links, use the real path instead`;
      throw new WorkspacePathError("path_symlink", asGiven, message);
    }
  }

  /** Throws `path_conflict` when writing `path` would put a file inside a file or submodule, or over a directory. */
  refuseConflicts(clean: string, path: string): void {
    const parts = clean.split("/");
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      const submodule = this.listing.get(prefix)?.mode === MODE_GITLINK && !this.overlay.has(prefix);
      if (submodule || this.exists(prefix)) {
        throw new WorkspacePathError(
          "path_conflict",
          path,
          `"${prefix}" is ${submodule ? "a submodule" : "a file"}, so "${clean}" cannot be created inside it; choose another path${submodule ? "" : ` or delete "${prefix}" first`}`,
        );
      }
    }
    if (this.listing.get(clean)?.mode === MODE_GITLINK && !this.overlay.has(clean)) {
      throw new WorkspacePathError("path_conflict", path, `"${clean}" is a submodule; agents cannot change submodules`);
    }
    if (this.isDirectory(clean)) {
      throw new WorkspacePathError("path_conflict", path, `"${clean}" is a directory; name a file inside it, e.g. "${clean}/index.ts"`);
    }
  }
}
