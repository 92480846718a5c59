/**
 * One open `GitRepository` per clone and process, shared by the run steps and
 * agent runners that use it at the same time or one after the other. Opening
 * a repository per step cost the step its own long-lived git processes (each
 * a fork of the whole app process) and a fresh listing of the base commit;
 * everything a repository caches is keyed by object id, so runs on the same
 * clone can share it. A repository nobody holds stays open `lingerMs` longer,
 * for the next step of the same run (the execution after the plan) or the
 * next run on the repository, and is closed then.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { backgroundTimers, type Timers } from "../time.js";
import { openRepository, type GitRepository, type RepositoryOptions } from "./open-repository.js";

/** How long a repository nobody holds stays open by default. */
export const REPOSITORY_LINGER_MS = 10_000;

export interface SharedRepositoryOptions extends RepositoryOptions {
  /** How long the repository stays open once nobody holds it (default `REPOSITORY_LINGER_MS`). */
  lingerMs?: number;
  timers?: Timers;
}

/** A hold on a shared repository. Do not close the repository: release the hold. */
export interface SharedRepository {
  readonly repository: GitRepository;
  /** Hands the repository back (once; later calls do nothing). */
  release(): void;
}

interface Entry {
  opened: Promise<GitRepository>;
  /** The git directory's device and inode when it was opened ("" when it could not be read). */
  identity: Promise<string>;
  holders: number;
  /** The linger timer while nobody holds the repository. */
  idle: unknown;
}

const entries = new Map<string, Entry>();

/**
 * The open repository at `dir`, opened on first use. The first holder's
 * options open it (the environment and clock are the process's; its log
 * takes only debug lines); a later holder's token replaces the one in use,
 * which changes it only when the installation token was renewed.
 */
export async function acquireRepository(dir: string, options: SharedRepositoryOptions = {}): Promise<SharedRepository> {
  const key = resolve(dir);
  const timers = options.timers ?? backgroundTimers;
  const held = await entryFor(key, options, timers);
  if (held.idle !== null) timers.clearTimeout(held.idle);
  held.idle = null;
  let repository: GitRepository;
  try {
    repository = await held.opened;
  } catch (error) {
    held.holders -= 1;
    throw error;
  }
  if (options.token !== undefined) repository.setToken(options.token);
  let released = false;
  return {
    repository,
    release() {
      if (released) return;
      released = true;
      held.holders -= 1;
      if (held.holders > 0) return;
      held.idle = timers.setTimeout(() => {
        if (held.holders > 0) return;
        if (entries.get(key) === held) entries.delete(key);
        void closeEntry(held, timers);
      }, options.lingerMs ?? REPOSITORY_LINGER_MS);
    },
  };
}

/**
 * The entry at `key`, held once more; opened when there is none. One nobody
 * holds may have been deleted or cloned again meanwhile: it is closed, and
 * the repository there now opened.
 */
async function entryFor(key: string, options: RepositoryOptions, timers: Timers): Promise<Entry> {
  for (;;) {
    const found = entries.get(key);
    if (found && (found.holders > 0 || (await unchanged(found)))) {
      // Looked at again after the wait: its linger may have ended, or another holder replaced it.
      if (entries.get(key) !== found) continue;
      found.holders += 1;
      return found;
    }
    if (found) {
      if (entries.get(key) !== found) continue;
      entries.delete(key);
      void closeEntry(found, timers);
    }
    const opened = openRepository(key, options);
    const created: Entry = { opened, identity: opened.then((repository) => identityOf(repository.gitDir), () => ""), holders: 1, idle: null };
    entries.set(key, created);
    // A repository that could not be opened is forgotten, so the next holder tries again.
    opened.catch(() => {
      if (entries.get(key) === created) entries.delete(key);
    });
    return created;
  }
}

function identityOf(gitDir: string): Promise<string> {
  return stat(gitDir).then(
    (found) => `${found.dev}:${found.ino}`,
    () => "",
  );
}

async function unchanged(entry: Entry): Promise<boolean> {
  const repository = await entry.opened.catch(() => null);
  if (!repository) return false;
  const [then, now] = await Promise.all([entry.identity, identityOf(repository.gitDir)]);
  return then !== "" && then === now;
}

async function closeEntry(entry: Entry, timers: Timers): Promise<void> {
  if (entry.idle !== null) timers.clearTimeout(entry.idle);
  const repository = await entry.opened.catch(() => null);
  await repository?.close().catch(() => undefined);
}
