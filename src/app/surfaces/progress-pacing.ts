/**
 * How often a run's progress is written while other runs of the same
 * installation are shown from this process. GitHub lets an installation
 * write about once a second, and this process's Octokit keeps that limit per
 * installation (`github/app-octokit.ts`): every run's status comment and
 * check run edits wait in one queue, with the writes that cannot wait (an
 * acknowledgement, a pull request, a run's final views) behind them. Alone, a
 * run's views are edited at most once per base interval; with more runs of
 * its installation, less often, so that progress edits together ask for at
 * most half of the installation's writes.
 */

/** The installation's writes a second, as GitHub allows them. */
const WRITES_PER_SECOND = 1;
/** What progress edits may ask for of them, together. */
const PROGRESS_SHARE = 0.5;
/** Views a run edits as it goes: its status comment and its check run. */
const VIEWS_PER_RUN = 2;
/** The base interval when none is configured. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5_000;

/** One run's progress views, counted until `close()`. */
export interface PacedViews {
  /** The least time between two edits of each view now. */
  intervalMs(): number;
  /** The run's views are done; later calls do nothing. */
  close(): void;
}

export interface ProgressPacing {
  /** Counts a run's views on `installationId` until they are closed. */
  open(installationId: number): PacedViews;
}

/** Pacing for one process; `baseMs` is each view's least interval when its run is alone. */
export function createProgressPacing(baseMs: number = DEFAULT_PROGRESS_INTERVAL_MS): ProgressPacing {
  const shown = new Map<number, number>();
  return {
    open(installationId) {
      shown.set(installationId, (shown.get(installationId) ?? 0) + 1);
      let closed = false;
      return {
        intervalMs: () => {
          const runs = shown.get(installationId) ?? 1;
          return runs <= 1 ? baseMs : Math.max(baseMs, pacedIntervalMs(runs));
        },
        close() {
          if (closed) return;
          closed = true;
          const left = (shown.get(installationId) ?? 1) - 1;
          if (left > 0) shown.set(installationId, left);
          else shown.delete(installationId);
        },
      };
    },
  };
}

/** The interval at which `runs` runs' views together ask for `PROGRESS_SHARE` of the installation's writes. */
export function pacedIntervalMs(runs: number): number {
  return Math.ceil((runs * VIEWS_PER_RUN * 1_000) / (WRITES_PER_SECOND * PROGRESS_SHARE));
}
