/**
 * Object-level access to one repository: resolve, list and read git objects
 * through long-lived git processes, write blobs, trees and its own commits
 * in process (loose-objects.ts), with per-commit listings and parsed trees
 * cached. Everything above (views, workspaces) goes through this.
 */
import { access, mkdtemp, readdir, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { CommitNotFoundError, GitCommandError, RepositoryClosedError } from "./errors.js";
import { commitIdentityEnv, formatCommitObject, type CommitObjectInput } from "./commit-identity.js";
import { DIFF_END, GitBatch, parseCatFile, parseDiffAnswer, parseLine, parseLines } from "./git-batch.js";
import { gitEnvironment, secretForms } from "./git-env.js";
import { runGit, type GitContext, type GitOutput, type RunGitOptions } from "./run-git.js";
import { MODE_GITLINK, MODE_TREE, parseLsTree, TreeListing, type TreeEntry } from "./tree-listing.js";
import { parseTreeObject, type TreeObjectEntry, type TreeStore } from "./write-tree.js";
import { LooseObjectWriter, objectId } from "./loose-objects.js";
import { FULL_OID } from "./object-id.js";
import { commitParents, diffTrees } from "./merge-disjoint.js";
import { WeightedCache } from "./weighted-cache.js";

export interface GitStoreOptions {
  env: NodeJS.ProcessEnv;
  token: string | undefined;
  log: Logger | undefined;
  /** Commits whose file listings stay cached. */
  listingCacheSize: number;
}

/** A unified diff as plumbing prints it, whatever the repository's configuration. */
const DIFF_OPTIONS = ["-r", "-p", "--no-renames", "--no-color", "--no-ext-diff"];
/**
 * What every git process of a repository runs with. A missing blob read
 * from a partial clone is fetched by a git of its own, which by default then
 * starts `git maintenance run --auto` as well: a process more per file
 * fetched, with little to do. The clone's maintenance is left to the syncs'
 * fetches (`sync-clone.ts`), which keep it.
 */
const LAZY_FETCH_CONFIG = { "maintenance.auto": "false" };
/** Diffs are kept up to this many characters in all, each at most a quarter of it. */
const DIFF_CACHE_CHARS = 16 * 1024 * 1024;
/** Objects read are kept up to this many bytes in all (an object never changes under its id)... */
const OBJECT_CACHE_BYTES = 64 * 1024 * 1024;
/** ...each at most this large. */
const OBJECT_CACHE_MAX_OBJECT = 1024 * 1024;

/** Entries of parsed trees kept, in all (a directory of a big repository has thousands). */
const PARSED_TREE_ENTRIES = 200_000;

/** Commits whose root tree ids stay known. */
const TREE_IDS_KEPT = 4096;
/** Commits remembered as written here: more than the runs of a process push at once. */
const WRITTEN_KEPT = 4096;

/** Where each path opened in this process keeps its repository, and its object id size. */
const located = new Map<string, Location>();

interface Location {
  gitDir: string;
  /** Where objects are written (a linked worktree's are in the main repository's). */
  objectsDir: string;
  /** Bytes of an object id: 20 (SHA-1) or 32 (SHA-256). */
  hashBytes: number;
}

/**
 * Records where the bare repository this process just created at `path`
 * keeps its objects, so its first `open` needs no `rev-parse`: what that
 * `rev-parse` would answer for a SHA-1 repository `git init` made. `config`
 * is the configuration `init` wrote; a repository whose configuration names
 * an object format is left for git to locate.
 */
export function rememberCreatedRepository(path: string, gitDir: string, config: string): void {
  if (/^\s*objectformat\s*=/im.test(config)) return;
  located.set(path, { gitDir, objectsDir: join(path, "objects"), hashBytes: 20 });
}

/** Tree entry modes git writes; a tree naming another goes to `mktree`, for git's own answer. */
const TREE_MODES = new Set(["100644", "100755", "120000", "40000", "040000", "160000"]);

/** Object access for one repository; owned by a `GitRepository`. */
export class GitStore implements TreeStore {
  private token: string | undefined;
  private contextMade: { token: string | undefined; context: GitContext } | undefined;
  private catFile!: GitBatch;
  private mktree!: GitBatch;
  private differ!: GitBatch;
  private commitWriter!: GitBatch;
  private refUpdater!: GitBatch;
  /**
   * Writes sent again go one at a time: a refused one ends its process, which
   * must not take others with it. The two processes are independent, so each
   * has its own queue.
   */
  private readonly queues = { commits: Promise.resolve() as Promise<unknown>, refs: Promise.resolve() as Promise<unknown> };
  /** Set once git refused a ref update: from then on they go one at a time, as a refusal may well come again. */
  private refusedRef = false;
  private readonly listings = new Map<string, Promise<TreeListing>>();
  private readonly commits = new Map<string, string>();
  /** Root tree ids of commits (full ids), oldest first. */
  private readonly trees = new Map<string, string>();
  private readonly prefetched = new Map<string, Promise<void>>();
  /** Commits this process wrote into the repository (the most recent `WRITTEN_KEPT`), oldest first. */
  private readonly written = new Set<string>();
  /** Recently read objects by id. */
  private readonly objects = new WeightedCache<Buffer>((content) => content.length, OBJECT_CACHE_BYTES, OBJECT_CACHE_MAX_OBJECT);
  /** Parsed trees by id. */
  private readonly parsedTrees = new WeightedCache<readonly TreeObjectEntry[]>((entries) => entries.length, PARSED_TREE_ENTRIES);
  /** Trees `treeId` formatted, by their entries (the same array `makeTree` is then given). */
  private readonly treeObjects = new WeakMap<readonly TreeObjectEntry[], { object: Buffer; oid: string }>();
  /** Recent diffs between full object ids. */
  private readonly diffs = new WeightedCache<string>((patch) => patch.length, DIFF_CACHE_CHARS, DIFF_CACHE_CHARS / 4);
  private promisor: Promise<string | null> | undefined;
  private blobDir: Promise<string> | undefined;
  private blobCounter = 0;
  private closed = false;
  private commitsPrepared = false;

  /** Blobs and trees are written in process. */
  private readonly loose: LooseObjectWriter;
  readonly gitDir: string;
  private readonly objectsDir: string;
  /** Bytes of an object id: 20 (SHA-1) or 32 (SHA-256). */
  readonly hashBytes: number;

  private constructor(
    location: Location,
    private readonly options: GitStoreOptions,
  ) {
    this.gitDir = location.gitDir;
    this.hashBytes = location.hashBytes;
    this.objectsDir = location.objectsDir;
    this.loose = new LooseObjectWriter(location.objectsDir, location.hashBytes);
    this.token = options.token;
    this.startBatches();
  }

  /**
   * Locates the repository at `path` (bare or not) and reads its object
   * format: with git the first time in this process, then from memory while
   * the git directory is still there (every step of a run opens its clone).
   */
  static async open(path: string, options: GitStoreOptions): Promise<GitStore> {
    const known = located.get(path);
    if (known && (await access(join(known.gitDir, "HEAD")).then(() => true, () => false))) return new GitStore(known, options);
    const ctx: GitContext = { cwd: path, env: gitEnvironment(options.env, { token: options.token }), secrets: secretForms(options.token) };
    const { stdout } = await runGit(ctx, ["rev-parse", "--absolute-git-dir", "--show-object-format", "--git-path", "objects"]);
    const [gitDir, format, objects] = stdout.toString("utf8").trim().split("\n");
    // `--git-path` answers relative to where git ran.
    const found: Location = { gitDir: gitDir as string, objectsDir: resolve(path, objects as string), hashBytes: format === "sha256" ? 32 : 20 };
    located.set(path, found);
    return new GitStore(found, options);
  }

  get log(): Logger | undefined {
    return this.options.log;
  }

  /**
   * The context new git processes run with (the current token included);
   * made once per token: reading the environment, `process.env` above all,
   * costs more than a process start should.
   */
  context(): GitContext {
    const made = this.contextMade;
    if (made !== undefined && made.token === this.token) return made.context;
    const env = gitEnvironment(this.options.env, { gitDir: this.gitDir, token: this.token, config: LAZY_FETCH_CONFIG });
    const context = { cwd: this.gitDir, env, secrets: secretForms(this.token) };
    this.contextMade = { token: this.token, context };
    return context;
  }

  /** Runs a git command in this repository; `env` adds variables (e.g. commit identities). */
  run(args: readonly string[], options: RunGitOptions & { env?: Record<string, string> } = {}): Promise<GitOutput> {
    if (this.closed) return Promise.reject(new RepositoryClosedError(this.gitDir));
    const ctx = this.context();
    return runGit(options.env ? { ...ctx, env: { ...ctx.env, ...options.env } } : ctx, args, options);
  }

  /** Replaces the token used for lazy fetches; long-lived processes restart with it. */
  setToken(token: string | undefined): void {
    if (token === this.token) return;
    this.token = token;
    const old = [this.catFile, this.mktree, this.differ, this.commitWriter, this.refUpdater];
    this.startBatches();
    this.commitsPrepared = false;
    for (const batch of old) void batch.close();
  }

  async resolveCommit(rev: string): Promise<string> {
    const known = this.commits.get(rev);
    if (known) return known;
    if (rev === "" || rev.startsWith("-") || /[\0\n]/.test(rev)) throw new CommitNotFoundError(rev);
    if (this.closed) throw new RepositoryClosedError(this.gitDir);
    // Through the long-lived cat-file process, which reads refs afresh on every request: no git process per name.
    const object = await this.catFile.request(`${rev}^{commit}\n`, parseCatFile);
    if (!object || object.type !== "commit") throw new CommitNotFoundError(rev);
    const oid = object.oid;
    // Only immutable names are cached: a branch may move.
    if (FULL_OID.test(rev)) this.commits.set(rev, oid);
    this.commits.set(oid, oid);
    return oid;
  }

  /**
   * Tells the store about a commit this process made: its id needs no
   * resolving, and its listing (the parent's with the commit's changes)
   * needs no `ls-tree`.
   */
  rememberCommit(commit: string, listing: TreeListing): void {
    this.commits.set(commit, commit);
    this.listings.delete(commit);
    this.listings.set(commit, Promise.resolve(listing));
    while (this.listings.size > this.options.listingCacheSize) this.listings.delete(this.listings.keys().next().value as string);
  }

  /** The file listing of a commit (a full commit id), cached for the most recent commits. */
  listing(commit: string): Promise<TreeListing> {
    let listing = this.listings.get(commit);
    if (listing) {
      this.listings.delete(commit);
    } else {
      listing = this.listingFromParent(commit).then((derived) => derived ?? this.listingFromTrees(commit));
      listing.catch(() => this.listings.delete(commit));
    }
    this.listings.set(commit, listing);
    while (this.listings.size > this.options.listingCacheSize) this.listings.delete(this.listings.keys().next().value as string);
    return listing;
  }

  /**
   * The listing of a commit with one parent whose listing is at hand (a
   * change another process made on a base this one listed): the parent's,
   * with what differs between their trees, read in process. Null when that
   * does not apply, and `ls-tree` lists it.
   */
  private async listingFromParent(commit: string): Promise<TreeListing | null> {
    if (!FULL_OID.test(commit)) return null;
    try {
      const parents = commitParents(await this.readObject(commit));
      const parentListing = parents.length === 1 ? this.listings.get(parents[0] as string) : undefined;
      if (parentListing === undefined) return null;
      const [parent, trees] = await Promise.all([parentListing, Promise.all([this.treeOf(parents[0] as string), this.treeOf(commit)])]);
      const changes = await diffTrees(this, trees[0], trees[1]);
      return parent.withChanges(commit, new Map(changes.map((change) => [change.path, change.entry])));
    } catch {
      // Whatever went wrong here, `ls-tree` gives git's own answer or error.
      return null;
    }
  }

  /**
   * The listing of a commit read through its trees, with the repository's
   * long-lived `cat-file`: what `ls-tree -r` lists, without a process start,
   * which costs more here than the walk. `ls-tree` answers when the walk
   * fails, with git's own answer or error.
   */
  private async listingFromTrees(commit: string): Promise<TreeListing> {
    try {
      const entries = await diffTrees(this, null, await this.treeOf(commit));
      return new TreeListing(commit, new Map(entries.map((change) => [change.path, change.entry as TreeEntry])));
    } catch {
      const out = await this.run(["ls-tree", "-r", "-z", "--full-tree", commit]);
      return parseLsTree(commit, out.stdout);
    }
  }

  /** Raw content of an object (blob or tree). In a partial clone a missing blob is fetched. */
  async readObject(oid: string): Promise<Buffer> {
    if (this.closed) throw new RepositoryClosedError(this.gitDir);
    const cached = this.objects.get(oid);
    if (cached) return cached;
    const object = await this.catFile.request(`${oid}\n`, parseCatFile);
    if (!object) throw new GitCommandError(["cat-file", "--batch"], null, `object ${oid} is missing and could not be fetched`);
    if (FULL_OID.test(oid)) this.objects.set(oid, object.content);
    return object.content;
  }

  /** The id of a commit's root tree. */
  async treeOf(commit: string): Promise<string> {
    if (this.closed) throw new RepositoryClosedError(this.gitDir);
    const known = this.trees.get(commit);
    if (known) return known;
    const object = await this.catFile.request(`${commit}^{tree}\n`, parseCatFile);
    if (!object) throw new CommitNotFoundError(commit);
    if (FULL_OID.test(commit)) this.rememberTree(commit, object.oid);
    return object.oid;
  }

  private rememberTree(commit: string, tree: string): void {
    this.trees.set(commit, tree);
    if (this.trees.size > TREE_IDS_KEPT) this.trees.delete(this.trees.keys().next().value as string);
  }

  /** A unified diff between two trees (or commits), as plumbing prints it (config-independent). */
  async diff(from: string, to: string): Promise<string> {
    const key = `${from} ${to}`;
    const cached = this.diffs.get(key);
    if (cached !== undefined) return cached;
    const full = FULL_OID.test(from) && FULL_OID.test(to);
    const patch = full ? await this.diffFull(from, to) : (await this.run(["diff-tree", ...DIFF_OPTIONS, from, to])).stdout.toString("utf8");
    if (full) this.rememberDiff(from, to, patch);
    return patch;
  }

  /**
   * The diff between two full ids through the long-lived `diff-tree --stdin`,
   * which takes two trees per line: both are peeled to their trees first (a
   * commit there would mean "this commit against these parents"). An id that
   * names neither, or trees the process could not read, go to a `diff-tree`
   * of their own, for git's own answer or error.
   */
  private async diffFull(from: string, to: string): Promise<string> {
    if (this.closed) throw new RepositoryClosedError(this.gitDir);
    const [a, b] = await Promise.all([from, to].map((oid) => this.catFile.request(`${oid}^{tree}\n`, parseCatFile)));
    const patch = a && b ? await this.differ.request(`${a.oid} ${b.oid}\n${DIFF_END}\n`, parseDiffAnswer()) : null;
    return patch ?? (await this.run(["diff-tree", ...DIFF_OPTIONS, from, to])).stdout.toString("utf8");
  }

  /**
   * Keeps `patch` as the diff from `from` to `to` (full ids, so it never
   * changes), e.g. under a commit's id once the diff to its tree is known: a
   * change's refuters and its transcript read the same diff.
   */
  rememberDiff(from: string, to: string, patch: string): void {
    this.diffs.set(`${from} ${to}`, patch);
  }

  /**
   * Writes a commit and returns its id: in process, as a loose object of the
   * bytes `git commit-tree` writes for the same input (one round trip to a
   * git process fewer on every commit and merge); an identity git refuses
   * goes to `commit-tree`, for git's own error.
   */
  async commitObject(input: CommitObjectInput): Promise<string> {
    const object = formatCommitObject(input);
    if (object !== null) {
      if (this.closed) throw new RepositoryClosedError(this.gitDir);
      // The bytes `git commit-tree` writes for the same input (test/workspace/commit-facts.test.ts), stored as git stores them.
      const bytes = Buffer.from(object, "utf8");
      const commit = await this.loose.write("commit", bytes);
      // What the next steps ask of a commit just written (a merge reads its parents and tree) needs no git.
      this.commits.set(commit, commit);
      this.rememberTree(commit, input.tree);
      this.objects.set(commit, bytes);
      return this.rememberWritten(commit);
    }
    const env = { ...commitIdentityEnv("AUTHOR", input.author, input.seconds), ...commitIdentityEnv("COMMITTER", input.committer, input.seconds) };
    const made = await this.run(["commit-tree", "--no-gpg-sign", ...input.parents.flatMap((p) => ["-p", p]), "-F", "-", input.tree], { input: input.message, env });
    return this.rememberWritten(made.stdout.toString("utf8").trim());
  }

  /**
   * Whether this process wrote the commit `oid` here (`commitObject`,
   * `writeCommit`): what it adds to its parents was written or read here, so
   * a partial clone is not missing it. A commit of the remote's history never
   * is one.
   */
  wroteCommit(oid: string): boolean {
    return this.written.has(oid);
  }

  private rememberWritten(commit: string): string {
    this.written.add(commit);
    if (this.written.size > WRITTEN_KEPT) this.written.delete(this.written.values().next().value as string);
    return commit;
  }

  /**
   * Starts the processes a commit goes through (the ref update, the diff),
   * once a workspace has something to commit: their start-up then overlaps
   * the agent's work instead of delaying its commit.
   */
  prepareCommits(): void {
    if (this.closed || this.commitsPrepared) return;
    this.commitsPrepared = true;
    for (const batch of [this.refUpdater, this.differ]) batch.warm();
  }

  /** Lines added and deleted per path between two trees (binary files count 0). */
  async numstat(from: string, to: string): Promise<Map<string, { additions: number; deletions: number }>> {
    const { stdout } = await this.run(["diff-tree", "-r", "-z", "--numstat", "--no-renames", from, to]);
    const stats = new Map<string, { additions: number; deletions: number }>();
    for (const record of stdout.toString("utf8").split("\0")) {
      const [added, deleted, ...path] = record.split("\t");
      if (path.length === 0) continue;
      stats.set(path.join("\t"), { additions: Number(added) || 0, deletions: Number(deleted) || 0 });
    }
    return stats;
  }

  /** A tree's entries, parsed once per tree (an object never changes under its id); not to be changed by the caller. */
  async readTree(oid: string): Promise<readonly TreeObjectEntry[]> {
    const known = this.parsedTrees.get(oid);
    if (known) return known;
    const entries = parseTreeObject(await this.readObject(oid), this.hashBytes);
    if (FULL_OID.test(oid)) this.parsedTrees.set(oid, entries);
    return entries;
  }

  /** The id git gives `content` as a blob, computed without writing it. */
  blobId(content: Buffer): string {
    return objectId("blob", content, this.hashBytes);
  }

  /** Stores `content` as a blob (in process, see loose-objects.ts) and returns its id. */
  async writeBlob(content: Buffer): Promise<string> {
    if (this.closed) throw new RepositoryClosedError(this.gitDir);
    return this.loose.write("blob", content);
  }

  /**
   * Stores a commit object made elsewhere (a carried change's) and returns
   * its id, through a long-lived `hash-object`, which checks it as git
   * checks a commit it is given. This process's own commits are written in
   * process (`commitObject`).
   */
  async writeCommit(content: string): Promise<string> {
    if (this.closed) throw new RepositoryClosedError(this.gitDir);
    this.blobDir ??= mkdtemp(join(tmpdir(), "dynflow-blobs-"));
    const file = join(await this.blobDir, String(this.blobCounter++));
    await writeFile(file, content);
    const send = () => {
      if (this.closed) throw new RepositoryClosedError(this.gitDir);
      return this.commitWriter.request(`${file}\n`, parseLine);
    };
    try {
      // Sent at once: git answers in order and stops at an object it refuses, so a write that failed with the
      // process was refused itself or never ran; it is sent again, one at a time, to tell which.
      const commit = await send().catch((error: unknown) => {
        if (!(error instanceof GitCommandError)) throw error;
        return this.oneAtATime("commits", send);
      });
      return this.rememberWritten(commit);
    } finally {
      void unlink(file).catch(() => undefined);
    }
  }

  /**
   * Points `ref` at `next`, only if it is at `expected` when one is given, in
   * one transaction of a long-lived `update-ref --stdin`; a refused update
   * rejects with git's reason as `update-ref` would.
   */
  updateRef(ref: string, next: string, expected?: string): Promise<void> {
    if (/[\s\0]/.test(ref)) return Promise.reject(new GitCommandError(["update-ref", ref], null, `invalid ref name "${ref}"`));
    const send = async () => {
      if (this.closed) throw new RepositoryClosedError(this.gitDir);
      await this.refUpdater.request(`start\nupdate ${ref} ${next}${expected ? ` ${expected}` : ""}\ncommit\n`, parseLines(2));
    };
    if (this.refusedRef) return this.oneAtATime("refs", send);
    // As commit writes; once git has refused an update (another writer moved a branch), updates go one at a time.
    return send().catch((error: unknown) => {
      if (!(error instanceof GitCommandError)) throw error;
      this.refusedRef = true;
      return this.oneAtATime("refs", send);
    });
  }

  private oneAtATime<T>(queue: "commits" | "refs", work: () => Promise<T>): Promise<T> {
    const next = this.queues[queue].then(work);
    this.queues[queue] = next.catch(() => undefined);
    return next;
  }

  treeId(entries: readonly TreeObjectEntry[]): string | null {
    const object = treeObject(entries, this.hashBytes);
    if (object === null) return null;
    const oid = objectId("tree", object, this.hashBytes);
    // A tree whose id is asked for is usually written next: the same entries need not be formatted and hashed twice.
    this.treeObjects.set(entries, { object, oid });
    return oid;
  }

  /** Writes a tree object; entries may name objects that are not present (partial clones). */
  async makeTree(entries: readonly TreeObjectEntry[]): Promise<string> {
    if (this.closed) throw new RepositoryClosedError(this.gitDir);
    // A tree git itself would write is written in process; anything else goes to `mktree`, for git's own answer or error.
    const plain = entries.every(plainTreeEntry) && new Set(entries.map((e) => e.name)).size === entries.length;
    const known = plain ? this.treeObjects.get(entries) : undefined;
    const object = known?.object ?? (plain ? treeObject(entries, this.hashBytes) : null);
    if (object !== null) {
      const tree = await this.loose.write("tree", object, known?.oid);
      this.objects.set(tree, object);
      return tree;
    }
    const type = (mode: string) => (mode === MODE_TREE ? "tree" : mode === MODE_GITLINK ? "commit" : "blob");
    const input = entries.map((e) => `${e.mode} ${type(e.mode)} ${e.oid}\t${e.name}\0`).join("") + "\0";
    return this.mktree.request(input, parseLine);
  }

  /**
   * In a partial clone, fetches every blob of `commit` that is missing, in one
   * request, so a whole-tree search does not fetch blobs one at a time. A
   * commit this process wrote lacks only what its parents lack (see
   * `wroteCommit`): its parents are fetched for instead, which an agent's
   * change on the run's base finds done already, with no git process.
   */
  prefetch(commit: string): Promise<void> {
    let done = this.prefetched.get(commit);
    if (!done) {
      done = this.wroteCommit(commit) ? this.prefetchParents(commit) : this.fetchMissingBlobs(commit);
      done.catch(() => this.prefetched.delete(commit));
      this.prefetched.set(commit, done);
    }
    return done;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.queues.commits, this.queues.refs]);
    await Promise.all([this.catFile.close(), this.mktree.close(), this.differ.close(), this.commitWriter.close(), this.refUpdater.close()]);
    if (this.blobDir) await rm(await this.blobDir, { recursive: true, force: true });
  }

  private startBatches(): void {
    const ctx = () => this.context();
    this.catFile = new GitBatch(ctx, ["cat-file", "--batch"]);
    this.mktree = new GitBatch(ctx, ["mktree", "-z", "--missing", "--batch"]);
    this.differ = new GitBatch(ctx, ["diff-tree", "--stdin", ...DIFF_OPTIONS]);
    this.commitWriter = new GitBatch(ctx, ["hash-object", "-t", "commit", "-w", "--stdin-paths"]);
    this.refUpdater = new GitBatch(ctx, ["update-ref", "--stdin"]);
  }

  /**
   * The remote a partial clone fetches missing objects from, or null for a
   * complete repository. Only objects a promisor pack refers to may be
   * missing, and git marks each such pack with a `.promisor` file: without
   * one there is nothing to fetch, and no git process is asked. The remote
   * is the one `extensions.partialClone` names (dynflow's own clones write
   * it), else the first whose `promisor` is true: all a `git clone --filter`
   * writes in some git versions (2.39 among them), as for a repository the
   * CLI is given.
   */
  private async promisorRemote(): Promise<string | null> {
    const packs = await readdir(join(this.objectsDir, "pack")).catch(() => null);
    if (packs !== null && !packs.some((name) => name.endsWith(".promisor"))) return null;
    const out = await this.run(["config", "--get-regexp", "^(extensions\\.partialclone|remote\\..+\\.promisor)$"], { okExitCodes: [0, 1] });
    return promisorOf(out.stdout.toString("utf8"));
  }

  private async prefetchParents(commit: string): Promise<void> {
    await Promise.all(commitParents(await this.readObject(commit)).map((parent) => this.prefetch(parent)));
  }

  private async fetchMissingBlobs(commit: string): Promise<void> {
    this.promisor ??= this.promisorRemote();
    const remote = await this.promisor;
    if (!remote) return;
    const { stdout } = await this.run(["rev-list", "--objects", "--missing=print", commit]);
    const missing = stdout
      .toString("utf8")
      .split("\n")
      .filter((line) => line.startsWith("?"))
      .map((line) => line.slice(1));
    if (missing.length === 0) return;
    this.log?.debug({ commit, blobs: missing.length }, "prefetching missing blobs");
    await this.run(
      ["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none", "--stdin", remote],
      { input: `${missing.join("\n")}\n` },
    );
  }
}

/**
 * The promisor remote in `git config --get-regexp` lines of
 * `extensions.partialclone` and `remote.<name>.promisor` (keys as git prints
 * them: section and variable in lower case, the remote's name as written).
 */
export function promisorOf(lines: string): string | null {
  let flagged: string | null = null;
  for (const line of lines.split("\n")) {
    const space = line.indexOf(" ");
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? "" : line.slice(space + 1).trim();
    if (key === "extensions.partialclone" && value !== "") return value;
    // A key without a value is a boolean set to true.
    const truthy = space < 0 || /^(true|yes|on|1)$/i.test(value);
    if (flagged === null && truthy && key.startsWith("remote.") && key.endsWith(".promisor")) flagged = key.slice("remote.".length, -".promisor".length);
  }
  return flagged;
}

/** An entry `mktree` takes as it is: a mode git writes, and a name that is one path component. */
function plainTreeEntry(entry: TreeObjectEntry): boolean {
  return TREE_MODES.has(entry.mode) && entry.name !== "" && entry.name !== "." && entry.name !== ".." && !/[/\0]/.test(entry.name);
}

/**
 * The raw tree object of `entries` as git writes it (entries in git's order:
 * by name, a directory's as if it ended in "/"), or null when an id is not a
 * full one.
 */
function treeObject(entries: readonly TreeObjectEntry[], hashBytes: number): Buffer | null {
  if (entries.some((e) => e.oid.length !== hashBytes * 2 || !/^[0-9a-f]+$/.test(e.oid))) return null;
  // Modes as git writes them (octal without leading zeros).
  const heads = entries.map((e) => ({ e, key: e.mode === MODE_TREE ? `${e.name}/` : e.name, head: `${Number.parseInt(e.mode, 8).toString(8)} ${e.name}\0` }));
  // Names in ASCII (nearly always) sort as strings exactly as their bytes do; others are compared as UTF-8 bytes.
  if (!heads.some((h) => BEYOND_ASCII.test(h.key))) heads.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  else heads.sort((a, b) => Buffer.compare(Buffer.from(a.key, "utf8"), Buffer.from(b.key, "utf8")));
  const object = Buffer.allocUnsafe(heads.reduce((n, h) => n + Buffer.byteLength(h.head, "utf8") + hashBytes, 0));
  let at = 0;
  for (const { e, head } of heads) {
    at += object.write(head, at, "utf8");
    at += object.write(e.oid, at, "hex");
  }
  return object;
}

const BEYOND_ASCII = /[\u0080-\uffff]/;
