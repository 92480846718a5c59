/**
 * A local git repository (bare or not) that workspaces fork from. One per
 * repository and process: it owns the long-lived git processes every
 * workspace and view of that repository shares.
 */
import type { Logger } from "pino";
import { systemClock, type Clock } from "../time.js";
import { createWritePolicy, normalizePath } from "./check-path.js";
import { GitStore } from "./git-store.js";
import { workerBranch } from "./slugify.js";
import { TreeView } from "./tree-view.js";
import type { ForkOptions, WorkspaceReader } from "./types.js";
import { Workspace } from "./workspace.js";

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

/** A repository workspaces fork from; open it with `openRepository`, close it when done. */
export class GitRepository {
  private readonly store: GitStore;
  private readonly clock: Clock;

  /** Use `openRepository`. */
  constructor(store: GitStore, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Absolute path of the git directory. */
  get gitDir(): string {
    return this.store.gitDir;
  }

  /** The full id of the commit `rev` names; throws `CommitNotFoundError`. */
  resolveCommit(rev: string): Promise<string> {
    return this.store.resolveCommit(rev);
  }

  /** Tracked files and symlinks at a commit, sorted (cached per commit; do not mutate). */
  async listFiles(commit: string): Promise<readonly string[]> {
    return (await this.store.listing(await this.store.resolveCommit(commit))).files;
  }

  /** Raw bytes of a file at a commit; throws `WorkspacePathError` when it is not a readable file. */
  async readFile(commit: string, path: string): Promise<Buffer> {
    const view = await this.view(commit);
    return view.bytesOf(normalizePath(path), path);
  }

  /** A unified diff between two commits (or trees), e.g. a change's base and commit. */
  async diff(from: string, to: string): Promise<string> {
    return this.store.diff(await this.store.resolveCommit(from), await this.store.resolveCommit(to));
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
