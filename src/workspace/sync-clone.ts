/**
 * Keeps a local blobless partial clone of a remote repository up to date:
 * created on first use, fetched before each run. Blobs arrive lazily when a
 * workspace reads them, so the clone costs commits and trees only.
 */
import { access, appendFile, mkdir, readFile, realpath } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { InvalidRefNameError } from "./errors.js";
import { FULL_OID } from "./object-id.js";
import { rememberCreatedRepository } from "./git-store.js";
import { checkRemoteUrl, gitEnvironment, secretForms } from "./git-env.js";
import { retryGitNetwork } from "./retry-git-network.js";
import { runGit, type GitContext } from "./run-git.js";
import { timeStage } from "../timing/stage-timer.js";
import { systemClock, type Clock } from "../time.js";

export interface SyncCloneOptions {
  /** The repository's `clone_url` as the GitHub API reports it (no credentials). */
  cloneUrl: string;
  /** Directory of the bare clone; created when missing. */
  dir: string;
  /** Installation token; travels in the environment only. */
  token?: string;
  /** Branch name, full ref (`refs/pull/7/head`) or commit id to sync; default the remote's HEAD. */
  ref?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: Logger;
  /** Time source for how long a synced commit is trusted without a fetch (default the system clock). */
  clock?: Clock;
  /**
   * For a commit id: asked when this sync's turn comes, after the syncs of
   * the same clone queued before it; true answers without fetching. Concurrent
   * fetches of changes then cost one fetch, which brings every branch.
   */
  present?: () => Promise<boolean>;
}

export interface SyncCloneResult {
  /** Absolute path of the bare clone. */
  dir: string;
  /** The commit `ref` resolved to after the fetch. */
  commit: string;
  /** True when the clone was created by this call. */
  created: boolean;
}

/** Where the synced target is recorded, so it stays reachable. */
const TARGET_REF = "refs/dynflow/sync/target";

/** Syncs of one directory run one at a time within a process. */
const inFlight = new Map<string, Promise<unknown>>();

/**
 * How long a commit this process fetched into a clone is trusted to be there
 * without fetching again. A run syncs at its base commit in every step (plan,
 * execute, each worker's agents), and runs on one repository share base
 * commits; a commit's objects never change. The limit stays far below the two
 * weeks git keeps unreachable objects, so a trusted commit cannot have been
 * pruned meanwhile.
 */
const TRUST_SYNCED_MS = 60 * 60 * 1000;

/** Per clone directory: the remote URL this process wrote, and the commits it fetched (when). */
const synced = new Map<string, { url: string; commits: Map<string, number> }>();

function targetOf(ref: string | undefined): string {
  if (ref === undefined) return "HEAD";
  if (ref === "" || ref.startsWith("-") || /[\s:*?[\\^~\0]/.test(ref) || ref.includes("..")) {
    throw new InvalidRefNameError(ref, "name a branch, a full ref such as refs/pull/7/head, or a commit id");
  }
  return FULL_OID.test(ref) || ref.startsWith("refs/") || ref === "HEAD" ? ref : `refs/heads/${ref}`;
}

/**
 * Creates (blobless, bare) or fetches the clone at `dir`, then resolves `ref`;
 * a commit id this process synced into the clone before is not fetched again.
 * Remote branches land in `refs/remotes/origin/*`; local branches (dynflow's)
 * are never touched by a sync. A commit id this process fetched into `dir`
 * in the last hour is answered without git (see `TRUST_SYNCED_MS`).
 */
export function syncClone(options: SyncCloneOptions): Promise<SyncCloneResult> {
  return timeStage("clone", () => syncCloneNow(options));
}

async function syncCloneNow(options: SyncCloneOptions): Promise<SyncCloneResult> {
  const cloneUrl = checkRemoteUrl(options.cloneUrl);
  const target = targetOf(options.ref);
  const dir = resolve(options.dir);
  const previous = inFlight.get(dir) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => sync(options, cloneUrl, target, dir));
  const settled = run.catch(() => undefined);
  inFlight.set(dir, settled);
  void settled.then(() => {
    if (inFlight.get(dir) === settled) inFlight.delete(dir);
  });
  return run;
}

async function sync(options: SyncCloneOptions, cloneUrl: string, target: string, dir: string): Promise<SyncCloneResult> {
  const env = options.env ?? process.env;
  const ctx: GitContext = { cwd: dir, env: gitEnvironment(env, { gitDir: dir, token: options.token }), secrets: secretForms(options.token) };
  const signal = options.signal;
  const created = await access(join(dir, "HEAD")).then(
    () => false,
    () => true,
  );
  if (created) {
    await mkdir(dir, { recursive: true });
    await runGit({ ...ctx, env: gitEnvironment(env) }, ["init", "--bare", "--quiet", dir], { signal });
    // The clone's remote, appended to the configuration `init` just wrote: one git process instead of six.
    const written = await readFile(join(dir, "config"), "utf8");
    await appendFile(join(dir, "config"), originSection(cloneUrl));
    // Opening the clone then needs no `rev-parse` to find it (git names its directory as a real path).
    rememberCreatedRepository(dir, await realpath(dir), written);
    synced.set(dir, { url: cloneUrl, commits: new Map() });
  }
  if (!created && FULL_OID.test(target) && (await options.present?.())) return { dir, commit: target, created };
  const clock = options.clock ?? systemClock;
  let known = synced.get(dir);
  if (known?.url === cloneUrl) {
    const fetchedAt = known.commits.get(target);
    if (fetchedAt !== undefined && clock.now() - fetchedAt < TRUST_SYNCED_MS) return { dir, commit: target, created };
  } else {
    // The URL is written whenever this process has not written it yet: a repository can be renamed or transferred.
    await runGit(ctx, ["config", "remote.origin.url", cloneUrl], { signal });
    known = { url: cloneUrl, commits: new Map() };
    synced.set(dir, known);
  }
  options.log?.info({ dir, created, target }, "syncing clone");
  await retryGitNetwork(
    // A clone just made has nothing to maintain: its first fetch starts no `git maintenance` after it.
    () => runGit(ctx, ["fetch", "--quiet", "--no-tags", "--filter=blob:none", ...(created ? ["--no-auto-maintenance"] : []), "origin", "+refs/heads/*:refs/remotes/origin/*", `+${target}:${TARGET_REF}`], { signal }),
    { signal, onRetry: (error, attempt) => options.log?.warn({ err: error, attempt }, "fetch failed on the network; trying again") },
  );
  // A commit id fetched is the commit: no git process to resolve it.
  const commit = FULL_OID.test(target) ? target : (await runGit(ctx, ["rev-parse", "--verify", `${TARGET_REF}^{commit}`], { signal })).stdout.toString("utf8").trim();
  // Only a commit id names the same objects next time; a branch may have moved.
  if (target === commit) remember(known.commits, commit, clock.now());
  return { dir, commit, created };
}

/**
 * The settings of a blobless partial clone of `url` as `origin`, in git's
 * configuration syntax, as `git config` would write them. The URL is quoted
 * (a backslash or a quote escaped); `checkRemoteUrl` refused whitespace.
 */
export function originSection(url: string): string {
  const quoted = `"${url.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return [
    '[remote "origin"]',
    `\turl = ${quoted}`,
    "\tfetch = +refs/heads/*:refs/remotes/origin/*",
    "\tpromisor = true",
    "\tpartialclonefilter = blob:none",
    "[extensions]",
    "\tpartialClone = origin",
    "",
  ].join("\n");
}

/** Records `commit` as fetched at `now`, and forgets the commits no longer trusted, so the map stays as small as an hour's base commits. */
function remember(commits: Map<string, number>, commit: string, now: number): void {
  for (const [id, fetchedAt] of commits) {
    if (now - fetchedAt >= TRUST_SYNCED_MS) commits.delete(id);
  }
  commits.set(commit, now);
}
