/**
 * A local git repository (bare or not) that workspaces fork from. One per
 * repository and process: it owns the long-lived git processes every
 * workspace and view of that repository shares.
 */
import { lstat, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { systemClock, type Clock } from "../time.js";
import { createWritePolicy, normalizePath } from "./check-path.js";
import { carryChange, receiveCarriedChange, type CarriedChange } from "./carry-change.js";
import type { CommitObjectInput } from "./commit-identity.js";
import { CommitNotFoundError } from "./errors.js";
import { GitStore } from "./git-store.js";
import { commitParents, diffTrees, disjointChanges, type TreeChange } from "./merge-disjoint.js";
import { packAdded } from "./pack-added.js";
import { workerBranch } from "./slugify.js";
import { TreeView } from "./tree-view.js";
import { comparePaths, MODE_EXECUTABLE, MODE_GITLINK, MODE_SYMLINK, MODE_TREE } from "./tree-listing.js";
import type { ForkOptions, LayerFile, WorkspaceReader } from "./types.js";
import { WeightedCache } from "./weighted-cache.js";
import { Workspace } from "./workspace.js";
import { writeTree } from "./write-tree.js";

export interface RepositoryOptions {
  /** Installation token for lazy blob fetches in a partial clone (see `setToken`). */
  token?: string;
  /** Base environment of git processes (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Time source for commit dates (default the system clock). */
  clock?: Clock;
  log?: Logger;
  /** How many commits' file listings stay cached (default 8). */
  listingCacheSize?: number;
}

/** How many changed paths of merged trees stay known (a run merges into one result at a time). */
const MERGED_CHANGES_KEPT = 200_000;

/** A HEAD file of a detached HEAD: the commit's id. */
const DETACHED_HEAD = /^(?:[0-9a-f]{40}|[0-9a-f]{64})\n?$/;
/** A HEAD file naming a branch as git writes it; no component starts with a dot (reftable's placeholder is `refs/heads/.invalid`). */
const BRANCH_HEAD = /^ref: refs\/heads\/((?:[^./\s][^/\s]*)(?:\/[^./\s][^/\s]*)*)\n?$/;
/** Names git may take for root refs (`$GIT_DIR/<name>`), such as `FETCH_HEAD`. */
const ROOT_REF_SYNTAX = /^[A-Z_-]+$/;

/** A repository workspaces fork from; open it with `openRepository`, close it when done. */
export class GitRepository {
  private readonly store: GitStore;
  private readonly clock: Clock;
  /**
   * What trees `mergeDisjoint` wrote differ by from their base ("<base tree>
   * <tree>"): merging changes one after another into a result, each merge
   * would otherwise diff the whole result so far again.
   */
  private readonly mergedChanges = new WeightedCache<readonly TreeChange[]>((changes) => changes.length, MERGED_CHANGES_KEPT);

  /** Use `openRepository`. */
  constructor(store: GitStore, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Absolute path of the git directory. */
  get gitDir(): string {
    return this.store.gitDir;
  }

  /**
   * The checked-out branch's name as `git symbolic-ref --short HEAD` gives it, or `HEAD` when detached.
   * Read from the git directory's HEAD file when that settles it, else (a symlink, another ref storage,
   * a name git may shorten differently) from git.
   */
  async headName(): Promise<string> {
    const path = join(this.gitDir, "HEAD");
    const head = await lstat(path)
      .then((stats) => (stats.isFile() ? readFile(path, "utf8") : null))
      .catch(() => null);
    if (head !== null && DETACHED_HEAD.test(head)) return "HEAD";
    const branch = head === null ? undefined : BRANCH_HEAD.exec(head)?.[1];
    if (branch !== undefined && !(await this.mayShortenOtherwise(branch))) return branch;
    const out = await this.store.run(["symbolic-ref", "--short", "-q", "HEAD"]).then(
      (found) => found.stdout.toString("utf8").trim(),
      () => "",
    );
    return out || "HEAD";
  }

  /**
   * Whether git may name `refs/heads/<branch>` other than `<branch>`: it says `heads/<branch>` when
   * `refs/tags/<branch>`, `refs/<branch>` or (for a name in capitals) the root ref `<branch>` exists.
   * Any name that resolves, or a lookup that fails, leaves the answer to git.
   */
  private async mayShortenOtherwise(branch: string): Promise<boolean> {
    if (ROOT_REF_SYNTAX.test(branch)) return true;
    const found = await Promise.all(
      [`refs/tags/${branch}`, `refs/${branch}`].map((ref) => this.store.resolveCommit(ref).then(() => true, (error: unknown) => !(error instanceof CommitNotFoundError))),
    );
    return found.includes(true);
  }

  /** The full id of the commit `rev` names; throws `CommitNotFoundError`. */
  resolveCommit(rev: string): Promise<string> {
    return this.store.resolveCommit(rev);
  }

  /** Tracked files and symlinks at a commit, sorted (cached per commit; do not mutate). */
  async listFiles(commit: string): Promise<readonly string[]> {
    return (await this.store.listing(await this.store.resolveCommit(commit))).files;
  }

  /**
   * What `path` is at a commit, read through the trees on its way (no listing
   * of the whole commit): a file (or executable), a symlink, a submodule or a
   * directory, with its mode and object id; null when nothing is there.
   */
  async entryAt(commit: string, path: string): Promise<PathEntry | null> {
    const names = path.split("/");
    if (names.some((name) => name === "" || name === "." || name === "..")) return null;
    let entry: PathEntry = { kind: "directory", mode: MODE_TREE, oid: await this.store.treeOf(await this.store.resolveCommit(commit)) };
    for (const name of names) {
      if (entry.kind !== "directory") return null;
      const found = (await this.store.readTree(entry.oid)).find((e) => e.name === name);
      if (found === undefined) return null;
      entry = { kind: kindOfMode(found.mode), mode: found.mode, oid: found.oid };
    }
    return entry;
  }

  /** Raw bytes of an object (a file's content), fetched first when a partial clone lacks it. */
  readObject(oid: string): Promise<Buffer> {
    return this.store.readObject(oid);
  }

  /** Raw bytes of a file at a commit; throws `WorkspacePathError` when it is not a readable file. */
  async readFile(commit: string, path: string): Promise<Buffer> {
    const view = await this.view(commit);
    return view.bytesOf(normalizePath(path), path);
  }

  /** The id of a commit's root tree (what two commits with the same files share). */
  async treeOf(commit: string): Promise<string> {
    return this.store.treeOf(await this.store.resolveCommit(commit));
  }

  /** A unified diff between two commits (or trees), e.g. a change's base and commit. */
  async diff(from: string, to: string): Promise<string> {
    return this.store.diff(await this.store.resolveCommit(from), await this.store.resolveCommit(to));
  }

  /**
   * The tree git's merge of commit `theirs` into commit `ours` would give,
   * made without a git process, or null when git must merge. The caller
   * knows that `ours` descends from `base` and does not contain `theirs`;
   * the merge is made here only when `theirs` is a child of `base` (so
   * `base` is the merge base) and the sides change different files and
   * delete none (`disjointChanges`). The tree is then the same as
   * `git merge-tree --write-tree` writes (test/workspace/merge-disjoint.test.ts).
   */
  async mergeDisjoint(base: string, ours: string, theirs: string): Promise<string | null> {
    const [b, o, t] = await Promise.all([base, ours, theirs].map((commit) => this.store.resolveCommit(commit)));
    const parents = commitParents(await this.store.readObject(t as string));
    if (parents.length !== 1 || parents[0] !== b) return null;
    const [baseTree, oursTree, theirsTree] = (await Promise.all([b, o, t].map((commit) => this.store.treeOf(commit as string)))) as [string, string, string];
    const [oursChanges, theirsChanges] = await Promise.all([
      this.mergedChanges.get(`${baseTree} ${oursTree}`) ?? diffTrees(this.store, baseTree, oursTree),
      diffTrees(this.store, baseTree, theirsTree),
    ]);
    const changes = disjointChanges(oursChanges, theirsChanges);
    if (!changes) return null;
    const merged = await writeTree(this.store, oursTree, changes);
    // The merged tree differs from the base by both sides' changes, and nothing else: the next change merged into it need not diff it again.
    this.mergedChanges.set(`${baseTree} ${merged}`, [...oursChanges, ...theirsChanges]);
    return merged;
  }

  /** Writes a commit object, as `git commit-tree -F -` would, and returns its id; no branch moves. */
  writeCommit(input: CommitObjectInput): Promise<string> {
    return this.store.commitObject(input);
  }

  /**
   * What differs from `from` to `to` (commits), with contents: the layer a
   * sandboxed command lays over `from`'s tree to see `to`'s. Submodules are left out.
   */
  async layerBetween(from: string, to: string): Promise<LayerFile[]> {
    const [a, b] = await Promise.all([this.store.resolveCommit(from), this.store.resolveCommit(to)]);
    if (a === b) return [];
    // Through the trees in process, as `git diff-tree -r --no-renames` lists them (a process here costs more than the walk).
    const [treeA, treeB] = await Promise.all([this.store.treeOf(a), this.store.treeOf(b)]);
    const changes = (await diffTrees(this.store, treeA, treeB)).filter((change) => change.entry?.mode !== MODE_GITLINK);
    changes.sort((x, y) => comparePaths(x.path, y.path));
    return Promise.all(
      changes.map(async ({ path, entry }): Promise<LayerFile> => ({
        path,
        content: entry === null ? null : await this.store.readObject(entry.oid),
        executable: entry?.mode === MODE_EXECUTABLE,
        symlink: entry?.mode === MODE_SYMLINK,
      })),
    );
  }

  /**
   * Writes the files of `commit` into the empty directory `dir` (a checkout
   * without a repository: no `.git`). A private index next to `dir` is used
   * and removed; the repository's own index and work tree are untouched.
   */
  async materialize(commit: string, dir: string): Promise<void> {
    const oid = await this.store.resolveCommit(commit);
    await this.store.prefetch(oid);
    const env = { GIT_INDEX_FILE: `${dir}.index` };
    try {
      await this.store.run([`--work-tree=${dir}`, "read-tree", oid], { env });
      await this.store.run([`--work-tree=${dir}`, "checkout-index", "--all", "--force"], { env });
    } finally {
      await rm(env.GIT_INDEX_FILE, { force: true });
    }
  }

  /** Read-only `list`/`read`/`search` over any commit (a worker's result, or a base for comparison). */
  readOnly(commit: string): Promise<WorkspaceReader> {
    return this.view(commit);
  }

  /**
   * Forks a workspace from `baseCommit`. Costs a listing of the base (shared
   * and cached); writes are kept in memory until `commit`.
   */
  async fork(options: ForkOptions): Promise<Workspace> {
    const branch = workerBranch(options.runId, options.slug);
    const view = await this.view(options.baseCommit);
    return new Workspace({
      store: this.store,
      view: new TreeView(this.store, view.listing),
      runId: options.runId,
      slug: options.slug,
      branch,
      policy: createWritePolicy(options),
      clock: this.clock,
    });
  }

  /** In a partial clone, fetches the commit's missing blobs in one request (search does this itself). */
  async prefetch(commit: string): Promise<void> {
    await this.store.prefetch(await this.store.resolveCommit(commit));
  }

  /**
   * The objects `commit` adds to `base`, to send as data instead of pushing
   * it (see carry-change.ts), or null when it is not one commit on `base`
   * or holds more than `maxBytes`.
   */
  carryChange(commit: string, base: string, maxBytes: number): Promise<CarriedChange | null> {
    return carryChange(this.store, commit, base, maxBytes);
  }

  /**
   * The pack a push of `wanted` sends to a remote that has `have`, built in
   * process for commits this repository wrote on commits the remote has;
   * null when `git pack-objects` has to make it (see pack-added.ts).
   */
  packAdded(wanted: readonly string[], have: readonly string[]): Promise<Buffer | null> {
    return packAdded(this.store, wanted, have);
  }

  /**
   * Writes a change that came as data, in process, once it is checked to be
   * `carried.commit` on `base` with every object it adds; no branch moves.
   * Throws `CarriedChangeError` otherwise.
   */
  receiveCarriedChange(carried: CarriedChange, base: string): Promise<void> {
    return receiveCarriedChange(this.store, carried, base);
  }

  /** Points `ref` at `next` (only if it is at `expected`, when given) through the long-lived `update-ref --stdin`. */
  updateRef(ref: string, next: string, expected?: string): Promise<void> {
    return this.store.updateRef(ref, next, expected);
  }

  /** Replaces the token (installation tokens expire); running git processes restart with it. */
  setToken(token: string | undefined): void {
    this.store.setToken(token);
  }

  /** Ends the long-lived git processes; the repository cannot be used afterwards. */
  close(): Promise<void> {
    return this.store.close();
  }

  private async view(commit: string): Promise<TreeView> {
    const oid = await this.store.resolveCommit(commit);
    return new TreeView(this.store, await this.store.listing(oid));
  }
}

/** What is at a path of a commit (see `GitRepository.entryAt`). */
export interface PathEntry {
  kind: "file" | "symlink" | "submodule" | "directory";
  mode: string;
  oid: string;
}

function kindOfMode(mode: string): PathEntry["kind"] {
  return mode === MODE_TREE ? "directory" : mode === MODE_SYMLINK ? "symlink" : mode === MODE_GITLINK ? "submodule" : "file";
}

/** Opens an existing local repository at `path` (bare or not; any directory inside it works). */
export async function openRepository(path: string, options: RepositoryOptions = {}): Promise<GitRepository> {
  const store = await GitStore.open(path, {
    env: options.env ?? process.env,
    token: options.token,
    log: options.log,
    listingCacheSize: options.listingCacheSize ?? 8,
  });
  return new GitRepository(store, options.clock ?? systemClock);
}
