/**
 * Keeps the `schedules` table in step with the audits of a repository's
 * config: on install, and whenever `.github/dynflow.yml` changes on the
 * default branch. Removing the app removes its schedules.
 */
import type { AuditConfig } from "../config/repo-config.js";
import { systemClock, type Clock } from "../time.js";
import type { RepoKey, ScheduleRecord, Store } from "../store/index.js";
import { toScheduleInput } from "./schedule-spec.js";

export interface SyncSchedulesOptions {
  store: Pick<Store, "schedules">;
  repoKey: RepoKey;
  /** The validated config's `audits` (an empty list removes every schedule of the repository). */
  audits: readonly AuditConfig[];
  clock?: Clock;
}

export interface SyncedSchedules {
  /** The repository's schedules after the sync, by name. */
  schedules: ScheduleRecord[];
  /** Names of the schedules the config no longer has. */
  removed: string[];
}

/**
 * Makes `audits` the repository's whole set of schedules. An audit whose cron
 * and time zone did not change keeps its pending occurrence (re-reading the
 * config never skips or repeats one); a new or re-timed one runs next at its
 * first occurrence after now. Every audit is checked before anything is
 * written: `InvalidScheduleError` names the first one that cannot be
 * scheduled, and the stored set is then left as it was.
 */
export async function syncSchedules(options: SyncSchedulesOptions): Promise<SyncedSchedules> {
  const { store, repoKey } = options;
  const now = (options.clock ?? systemClock).now();
  const entries = options.audits.map((audit) => toScheduleInput(audit, now));
  const before = await store.schedules.listForRepo(repoKey);
  await store.schedules.upsertForRepo(repoKey, entries);
  const kept = new Set(entries.map((entry) => entry.name));
  return {
    schedules: await store.schedules.listForRepo(repoKey),
    removed: before.map((record) => record.name).filter((name) => !kept.has(name)),
  };
}

/** Removes every schedule of an installation (the app was uninstalled); returns how many. */
export function removeInstallationSchedules(store: Pick<Store, "schedules">, installationId: number): Promise<number> {
  return store.schedules.removeForInstallation(installationId);
}

/** Removes every schedule of one repository (it left the installation); returns how many. */
export function removeRepositorySchedules(store: Pick<Store, "schedules">, repoKey: RepoKey): Promise<number> {
  return store.schedules.removeForRepo(repoKey);
}
