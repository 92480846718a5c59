/**
 * Keeps a local blobless partial clone of a remote repository up to date:
 * created on first use, fetched before each run. Blobs arrive lazily when a
 * workspace reads them, so the clone costs commits and trees only.
 */
import { access, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { InvalidRefNameError } from "./errors.js";
import { checkRemoteUrl, gitEnvironment, secretForms } from "./git-env.js";
import { retryGitNetwork } from "./retry-git-network.js";
import { runGit, type GitContext } from "./run-git.js";
import { timeStage } from "../timing/stage-timer.js";

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

const FULL_OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Commits synced by commit id in this process, as `<dir>\0<commit>`, oldest first (at most `SYNCED_KEPT`). */
const synced = new Set<string>();
const SYNCED_KEPT = 1_000;

function remember(key: string): void {
  synced.delete(key);
  synced.add(key);
  if (synced.size > SYNCED_KEPT) synced.delete(synced.values().next().value as string);
}

/** Syncs of one directory run one at a time within a process. */
const inFlight = new Map<string, Promise<unknown>>();

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
 * are never touched by a sync.
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
    for (const [key, value] of [
      ["remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"],
      ["remote.origin.promisor", "true"],
      ["remote.origin.partialclonefilter", "blob:none"],
      ["extensions.partialClone", "origin"],
    ]) {
      await runGit(ctx, ["config", key as string, value as string], { signal });
    }
  }
  // A commit id this process synced into this clone before (the plan step of the same run, moments ago) needs
  // no fetch: a commit never changes, and a blobless clone fetches missing blobs when they are read. (Asking
  // git whether the clone holds it would not do: in a partial clone that question fetches the commit alone.)
  const key = `${dir}\0${target}`;
  if (!created && synced.has(key)) {
    options.log?.info({ dir, target }, "commit synced before; not fetched again");
    return { dir, commit: target, created };
  }
  // The URL is (re)written every time: a repository can be renamed or transferred.
  await runGit(ctx, ["config", "remote.origin.url", cloneUrl], { signal });
  options.log?.info({ dir, created, target }, "syncing clone");
  await retryGitNetwork(
    () => runGit(ctx, ["fetch", "--quiet", "--no-tags", "--filter=blob:none", "origin", "+refs/heads/*:refs/remotes/origin/*", `+${target}:${TARGET_REF}`], { signal }),
    { signal, onRetry: (error, attempt) => options.log?.warn({ err: error, attempt }, "fetch failed on the network; trying again") },
  );
  const { stdout } = await runGit(ctx, ["rev-parse", "--verify", `${TARGET_REF}^{commit}`], { signal });
  const commit = stdout.toString("utf8").trim();
  if (FULL_OID.test(target) && commit === target) remember(key);
  return { dir, commit, created };
}
