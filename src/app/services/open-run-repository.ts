/**
 * The run's repository on disk: one blobless clone per repository under the
 * data directory (`cloneDir`), fetched at the run's base commit from the `clone_url` the
 * API reports (so GitHub Enterprise Server works unchanged), with the
 * installation token in git's environment only. A step that knows the URL
 * from an earlier step of the run (its stored plan) gives it, and GitHub is
 * not asked again.
 */
import type { Logger } from "pino";
import type { GitHubClient } from "../../github/github-client.js";
import { getInstallationToken } from "../../github/installation-token.js";
import type { RunRecord } from "../../store/index.js";
import { acquireRepository, cloneDir, syncClone, type GitRepository } from "../../workspace/index.js";
import type { AppRuntime } from "./types.js";

/** A run's repository while it is open. */
export interface RunRepository {
  repository: GitRepository;
  /** The remote, as the API reports it (no credentials). */
  cloneUrl: string;
  /** A token valid for a while yet (a long run must ask again before pushing); the repository uses it too. */
  freshToken(): Promise<string>;
}

export interface RunRepositoryOptions {
  github: GitHubClient;
  run: Pick<RunRecord, "installationId" | "owner" | "repo" | "baseSha">;
  runtime: Pick<AppRuntime, "dataDir" | "gitEnv" | "clock">;
  /** The clone URL an earlier step of the run had from the API; asked for when absent. */
  cloneUrl?: string | undefined;
  signal?: AbortSignal;
  log?: Logger;
  /** The clone as `syncRunClone` brought it up to date, started earlier by the step; synced here when absent. */
  synced?: Promise<SyncedClone>;
}

/** A run's clone, up to date at the run's base commit. */
export interface SyncedClone {
  dir: string;
  cloneUrl: string;
  /** The token it was fetched with. */
  token: string;
}

/**
 * Brings the run's clone up to date at its base commit (the first run on a
 * repository clones it). A step may start it early, while it does other
 * work, and hand the promise to `withRunRepository`.
 */
export async function syncRunClone(options: RunRepositoryOptions): Promise<SyncedClone> {
  const { github, run, runtime, signal, log } = options;
  const credentials = await getInstallationToken(github, { clock: runtime.clock });
  const cloneUrl = options.cloneUrl ?? (await github.rest.repos.get({ owner: run.owner, repo: run.repo })).data.clone_url;
  // The same layout as a worker's clones (`cloneDir`), so processes sharing a data directory share clones.
  const dir = cloneDir(runtime.dataDir, cloneUrl);
  await syncClone({ cloneUrl, dir, token: credentials.token, ref: run.baseSha ?? undefined, env: runtime.gitEnv, signal, log });
  return { dir, cloneUrl, token: credentials.token };
}

/** Syncs the clone (unless `options.synced` did), opens it (or shares it, see `acquireRepository`), hands it to `use`, and releases it whatever happens. */
export async function withRunRepository<T>(options: RunRepositoryOptions, use: (open: RunRepository) => Promise<T>): Promise<T> {
  const { github, runtime, log } = options;
  const { dir, cloneUrl, token } = await (options.synced ?? syncRunClone(options));
  // Shared with the process's other steps and agents on this clone (its git processes, its cached listings).
  const shared = await acquireRepository(dir, { token, env: runtime.gitEnv, clock: runtime.clock, log });
  const { repository } = shared;
  const freshToken = async () => {
    const renewed = await getInstallationToken(github, { clock: runtime.clock });
    repository.setToken(renewed.token);
    return renewed.token;
  };
  try {
    return await use({ repository, cloneUrl, freshToken });
  } finally {
    shared.release();
  }
}
