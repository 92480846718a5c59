/**
 * Keeps one repository's audit schedules in step with its config: read
 * `.github/dynflow.yml` from the default branch and make its audits the
 * repository's schedules. A file that cannot be used changes nothing: the
 * schedules the last good file gave stay, and the log says why (nobody
 * wrote a comment to answer, and a push has no conversation to reply in).
 */
import type { Logger } from "pino";
import type { PriceTable } from "../../agents/model/index.js";
import { InvalidScheduleError, syncSchedules } from "../../audit/index.js";
import type { GitHubClient } from "../../github/github-client.js";
import type { Clock } from "../../time.js";
import type { RepoKey, Store } from "../../store/index.js";
import { loadRepoConfigOf } from "../services/load-repo-config-of.js";

/** What syncing schedules needs. */
export interface ScheduleSyncDeps {
  store: Pick<Store, "schedules">;
  /** The deployment's prices: the config is validated against them. */
  prices: PriceTable;
  clock: Clock;
  log: Logger;
  /** Told once the stored schedules changed, so a BullMQ scheduler mirrors them at once. */
  onChange?: () => Promise<void>;
}

/** How a sync ended. */
export type ScheduleSyncResult =
  | { status: "synced"; schedules: string[]; removed: string[] }
  | { status: "invalid-config"; problems: number }
  | { status: "invalid-schedule"; audit: string | null; message: string };

/**
 * Syncs `repoKey`'s schedules with its config, read through `github`. A
 * config with `enabled: false` removes them: a turned-off repository runs
 * nothing. GitHub's errors are thrown.
 */
export async function syncRepoSchedules(github: GitHubClient, repoKey: RepoKey, deps: ScheduleSyncDeps): Promise<ScheduleSyncResult> {
  const log = deps.log.child({ installationId: repoKey.installationId, owner: repoKey.owner, repo: repoKey.repo });
  const loaded = await loadRepoConfigOf(github, repoKey.owner, repoKey.repo, { prices: deps.prices });
  if (!loaded.ok) {
    log.warn({ errors: loaded.errors.slice(0, 20) }, "the config is invalid; its audit schedules were left as they were");
    return { status: "invalid-config", problems: loaded.errors.length };
  }
  const audits = loaded.config.enabled ? loaded.config.audits : [];
  let synced;
  try {
    synced = await syncSchedules({ store: deps.store, repoKey, audits, clock: deps.clock });
  } catch (error) {
    if (!(error instanceof InvalidScheduleError)) throw error;
    log.warn({ err: error, audit: error.audit }, "an audit cannot be scheduled; the audit schedules were left as they were");
    return { status: "invalid-schedule", audit: error.audit, message: error.message };
  }
  const schedules = synced.schedules.map((schedule) => schedule.name);
  log.info({ schedules, removed: synced.removed }, "audit schedules synced");
  await notify(deps);
  return { status: "synced", schedules, removed: synced.removed };
}

/** Syncs every repository of an installation, one after another; one repository's failure does not stop the others. */
export async function syncInstallationSchedules(
  github: GitHubClient,
  installationId: number,
  repositories: readonly { owner: string; repo: string }[],
  deps: ScheduleSyncDeps,
): Promise<ScheduleSyncResult[]> {
  const results: ScheduleSyncResult[] = [];
  for (const { owner, repo } of repositories) {
    try {
      results.push(await syncRepoSchedules(github, { installationId, owner, repo }, { ...deps, onChange: undefined }));
    } catch (error) {
      deps.log.error({ err: error, installationId, owner, repo }, "could not sync the repository's audit schedules");
    }
  }
  // Once for the whole installation, not once per repository.
  if (results.some((result) => result.status === "synced")) await notify(deps);
  return results;
}

/** Removes schedules (an uninstall, a repository leaving the installation) and says so. */
export async function dropSchedules(remove: () => Promise<number>, what: Record<string, unknown>, deps: Pick<ScheduleSyncDeps, "log" | "onChange">): Promise<number> {
  const removed = await remove();
  deps.log.info({ ...what, removed }, "audit schedules removed");
  if (removed > 0) await notify(deps);
  return removed;
}

async function notify(deps: Pick<ScheduleSyncDeps, "log" | "onChange">): Promise<void> {
  // The store is the source of truth; a mirror that misses this change catches up at its next round.
  await deps.onChange?.().catch((error: unknown) => deps.log.warn({ err: error }, "could not pass the schedule change on; it applies at the next round"));
}
