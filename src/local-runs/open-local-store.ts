/**
 * Where a repository's local runs are kept: one SQLite file in its git
 * directory, next to the runs' reports, so they go wherever the repository
 * goes and never show up in the working tree. `dynflow run` writes it;
 * `resume`, `show` and `ui` read it (several processes at once: the store is
 * in WAL mode with a busy timeout).
 */
import { join } from "node:path";
import type { Logger } from "pino";
import { openStore, type Store } from "../store/index.js";
import type { Clock } from "../time.js";

/** `<git-dir>/dynflow/runs.db`. */
export function localStorePath(gitDir: string): string {
  return join(gitDir, "dynflow", "runs.db");
}

/** Opens (creating and migrating it when needed) the local store of the repository whose git directory is `gitDir`. */
export function openLocalStore(gitDir: string, options: { clock?: Clock; log?: Logger } = {}): Promise<Store> {
  return openStore({ sqlitePath: localStorePath(gitDir), ...options });
}
