/**
 * One agent's isolated workspace: reads come from the base commit's objects,
 * writes go to an in-memory overlay, and `commit` turns the overlay into a
 * commit on `dynflow/<run-id>-work/<slug>` by rewriting only the touched trees.
 * Nothing is checked out, and no index or working tree is shared.
 */
import type { ChangeRef } from "../runtime/types.js";
import type { Clock } from "../time.js";
import { normalizePath } from "./check-path.js";
import { GitCommandError, WorkspacePathError } from "./errors.js";
import type { GitStore } from "./git-store.js";
import { patchStats } from "./patch-stats.js";
import { replaceOnce } from "./replace-once.js";
import { MODE_EXECUTABLE, MODE_FILE } from "./tree-listing.js";
import type { TreeView } from "./tree-view.js";
import type { ChangedFile, CommitOptions, LayerFile, ReadOptions, ReadResult, SearchMatch, SearchOptions, WorkspaceReader } from "./types.js";
import { readTreesOnPath, writeTree, type FileChange } from "./write-tree.js";
import { timeStage } from "../timing/stage-timer.js";

export interface WorkspaceInit {
  store: GitStore;
  view: TreeView;
  runId: string;
  slug: string;
  branch: string;
  /** Throws for paths the write policy refuses (protected, out of scope). */
  policy: (path: string) => void;
  clock: Clock;
}

interface Head {
  commit: string;
  tree: string;
  ref: ChangeRef;
}

/** An agent's workspace; create it with `GitRepository.fork`. */
export class Workspace implements WorkspaceReader {
  readonly runId: string;
  readonly slug: string;
  /** Branch short name, `dynflow/<run-id>-work/<slug>`. */
  readonly branch: string;
  private readonly store: GitStore;
  private readonly view: TreeView;
  private readonly policy: (path: string) => void;
  private readonly clock: Clock;
  private version = 0;
  private built: { version: number; tree: string } | undefined;
  private baseTree: Promise<string> | undefined;
  /** Directories whose base trees were read ahead of the commit. */
  private readonly treesRead = new Set<string>();
  private readonly written = new Set<string>();
  private head: Head | null = null;
  private committing: Promise<unknown> = Promise.resolve();

  constructor(init: WorkspaceInit) {
    this.store = init.store;
    this.view = init.view;
    this.runId = init.runId;
    this.slug = init.slug;
    this.branch = init.branch;
    this.policy = init.policy;
    this.clock = init.clock;
  }

  /** The commit this workspace was forked from. */
  get baseCommit(): string {
    return this.view.baseCommit;
  }

  list(glob?: string): Promise<string[]> {
    return this.view.list(glob);
  }

  read(path: string, options?: ReadOptions): Promise<ReadResult> {
    return this.view.read(path, options);
  }

  search(pattern: string | RegExp, options?: SearchOptions): Promise<SearchMatch[]> {
    return this.view.search(pattern, options);
  }

  /** Creates or replaces a file (UTF-8 text). An existing file keeps its executable bit. */
  async write(path: string, content: string): Promise<void> {
    this.put(await this.checkWrite(path), content);
  }

  /**
   * Replaces the one occurrence of `oldText` in a file with `newText`. Refused
   * when `oldText` is absent (`edit_no_match`) or occurs more than once
   * (`edit_ambiguous`, with the count).
   */
  async edit(path: string, oldText: string, newText: string): Promise<void> {
    const clean = await this.checkWrite(path);
    this.put(clean, replaceOnce(await this.view.bytesOf(clean, path), oldText, newText, clean, path));
  }

  /** Deletes a file. */
  async delete(path: string): Promise<void> {
    const clean = await this.checkWrite(path);
    if (!this.view.exists(clean)) throw new WorkspacePathError("path_not_found", path, `"${clean}" does not exist, so it cannot be deleted`);
    this.remove(clean);
  }

  /**
   * Makes another change's files (`GitRepository.layerBetween` the base and
   * that change) this workspace's own edits, deletions first, through the
   * same write rules as `write` and `delete`: a path the policy refuses, a
   * symbolic link or a file that is not UTF-8 text throws a
   * `WorkspacePathError`. A worker's next attempt starts so from the last.
   */
  async apply(files: readonly LayerFile[]): Promise<void> {
    const ordered = [...files.filter((file) => file.content === null), ...files.filter((file) => file.content !== null)];
    for (const file of ordered) {
      const clean = await this.checkWrite(file.path);
      if (file.symlink) throw new WorkspacePathError("path_symlink", file.path, `"${clean}" is a symbolic link in the change; a workspace holds only text files`);
      if (file.content === null) {
        this.remove(clean);
        continue;
      }
      const content = file.content.toString("utf8");
      if (!Buffer.from(content, "utf8").equals(file.content)) {
        throw new WorkspacePathError("path_not_text", file.path, `"${clean}" is not UTF-8 text in the change; a workspace holds only text files`);
      }
      this.put(clean, content);
    }
  }

  /** Paths that differ from the base, sorted. */
  changedFiles(): ChangedFile[] {
    return [...this.view.overlay.entries()]
      .map(([path, file]): ChangedFile => ({ path, status: file === null ? "deleted" : this.view.listing.get(path) ? "modified" : "added" }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** What differs from the base, with contents: what a sandboxed command lays over the base tree. */
  layer(): LayerFile[] {
    return [...this.view.overlay.entries()].map(([path, file]): LayerFile => ({
      path,
      content: file === null ? null : Buffer.from(file.content, "utf8"),
      executable: file?.mode === MODE_EXECUTABLE,
      symlink: false,
    }));
  }

  /** Unified diff of the workspace against its base (empty when nothing changed). */
  async diff(): Promise<string> {
    if (this.view.overlay.size === 0) return "";
    return this.store.diff(this.baseCommit, await this.buildTree());
  }

  /**
   * Commits the workspace on its branch and returns the change, or null when
   * nothing differs from the base (a branch left from an earlier commit is
   * then deleted). Committing again after more edits moves the branch forward.
   */
  commit(options: CommitOptions): Promise<ChangeRef | null> {
    const next = this.committing.then(() => timeStage("commit", () => this.commitNow(options)));
    this.committing = next.catch(() => undefined);
    return next;
  }

  private async commitNow(options: CommitOptions): Promise<ChangeRef | null> {
    const ref = `refs/heads/${this.branch}`;
    if (this.view.overlay.size === 0) {
      if (this.head) await this.store.run(["update-ref", "-d", ref, this.head.commit]);
      this.head = null;
      return null;
    }
    const incomplete = options.incomplete ?? false;
    const version = this.version;
    const tree = await this.buildTree();
    if (this.head?.tree === tree) return { ...this.head.ref, incomplete };
    const parent = this.head?.commit ?? this.baseCommit;
    const seconds = Math.floor(this.clock.now() / 1000);
    const commit = await this.store.commitObject({ tree, parents: [parent], author: options.author, committer: options.committer ?? options.author, seconds, message: options.message });
    // One diff gives the statistics and, kept under the commit's id, the diff the change's refuters read; it
    // needs only the trees, so it runs while the branch moves.
    const diffing = this.store.diff(this.baseCommit, tree);
    diffing.catch(() => undefined);
    // Guard against a concurrent writer when moving our own branch; a stale branch of the same name is replaced.
    await this.store.updateRef(ref, commit, this.head?.commit);
    const changed = this.changedFiles();
    const patch = await diffing;
    const stats = patchStats(patch, changed.map((f) => f.path)) ?? (await this.store.numstat(this.baseCommit, tree));
    this.store.rememberDiff(this.baseCommit, commit, patch);
    // The overlay is the commit's only while no write came in since its tree was built.
    if (this.version === version) this.store.rememberCommit(commit, this.view.listing.withChanges(commit, this.treeChanges()));
    const files = changed.map((f) => ({ ...f, ...(stats.get(f.path) ?? { additions: 0, deletions: 0 }) }));
    const change: ChangeRef = {
      branch: this.branch,
      commit,
      base: this.baseCommit,
      files,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
      incomplete,
    };
    this.head = { commit, tree, ref: change };
    return change;
  }

  /** The overlay as tree entries (null: deleted). */
  private treeChanges(): Map<string, FileChange> {
    const changes = new Map<string, FileChange>();
    for (const [path, file] of this.view.overlay) changes.set(path, file && { oid: file.oid, mode: file.mode });
    return changes;
  }

  /** Writes the overlay's blobs and trees; cached until the next write. */
  private async buildTree(): Promise<string> {
    const version = this.version;
    if (this.built?.version === version) return this.built.tree;
    const changes = new Map<string, FileChange>();
    const blobs: Promise<void>[] = [];
    for (const [path, file] of this.view.overlay) {
      changes.set(path, file && { oid: file.oid, mode: file.mode });
      if (file && !this.written.has(file.oid)) {
        const expected = file.oid;
        blobs.push(
          this.store.writeBlob(Buffer.from(file.content, "utf8")).then((oid) => {
            if (oid !== expected) throw new GitCommandError(["hash-object"], null, `stored ${path} as ${oid}, expected ${expected}`);
            this.written.add(oid);
          }),
        );
      }
    }
    this.baseTree ??= this.store.treeOf(this.baseCommit);
    const [baseTree] = await Promise.all([this.baseTree, ...blobs]);
    const tree = await writeTree(this.store, baseTree, changes);
    this.built = { version, tree };
    return tree;
  }

  private put(clean: string, content: string): void {
    const base = this.view.listing.get(clean);
    const mode = base?.mode === MODE_EXECUTABLE ? MODE_EXECUTABLE : MODE_FILE;
    const oid = this.store.blobId(Buffer.from(content, "utf8"));
    // Writing back the base content is no change at all.
    if (base && base.oid === oid && base.mode === mode) this.view.overlay.delete(clean);
    else {
      this.view.overlay.set(clean, { content, mode, oid });
      this.prepareCommit(clean);
    }
    this.version++;
  }

  private remove(clean: string): void {
    if (this.view.listing.get(clean)) {
      this.view.overlay.set(clean, null);
      this.prepareCommit(clean);
    } else this.view.overlay.delete(clean);
    this.version++;
  }

  /**
   * Gets what committing a change to `path` needs ready while the agent goes
   * on: the processes a commit goes through, and the base trees on the way
   * to the file (read now, the commit finds them in memory instead of
   * waiting behind other reads of the repository's shared `cat-file`).
   */
  private prepareCommit(path: string): void {
    this.store.prepareCommits();
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    if (this.treesRead.has(dir)) return;
    this.treesRead.add(dir);
    this.baseTree ??= this.store.treeOf(this.baseCommit);
    // Only a head start: the commit reads what this could not, and reports any failure itself.
    this.baseTree.then((root) => readTreesOnPath(this.store, root, dir)).catch(() => undefined);
  }

  /** Applies every write rule; returns the normalised path. */
  private async checkWrite(path: string): Promise<string> {
    const clean = normalizePath(path);
    this.policy(clean);
    await this.view.refuseSymlink(clean, path, "write");
    this.view.refuseConflicts(clean, path);
    return clean;
  }
}
