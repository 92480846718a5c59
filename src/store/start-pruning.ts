/**
 * Prunes what a store keeps for a while only (transcripts, changes kept for a
 * run that never pushed them) once it is older than its retention period:
 * once at start, then every `intervalMs`. Deleting by time is idempotent, so
 * several processes pruning the same database only repeat a cheap statement.
 */
import type { Logger } from "pino";
import { backgroundTimers, repeatEvery, type Clock, type Timers } from "../time.js";

export interface PruningOptions {
  /** What is pruned, for the log: "transcript entries". */
  what: string;
  /** Deletes what was kept before the time `before`; resolves with how many rows went. */
  prune(before: number): Promise<number>;
  retentionMs: number;
  clock: Clock;
  log: Pick<Logger, "info" | "warn">;
  /** Default one hour. */
  intervalMs?: number;
  /** Default: background timers (pruning never keeps the process alive). */
  timers?: Timers;
}

/** Starts pruning; returns the function that stops it. */
export function startPruning(options: PruningOptions): () => void {
  const prune = () =>
    options.prune(options.clock.now() - options.retentionMs).then(
      (deleted) => {
        if (deleted > 0) options.log.info({ deleted, retentionMs: options.retentionMs }, `pruned old ${options.what}`);
      },
      (error: unknown) => options.log.warn({ err: error }, `could not prune old ${options.what}; trying again later`),
    );
  void prune();
  const repeating = repeatEvery(options.intervalMs ?? 3_600_000, () => void prune(), options.timers ?? backgroundTimers);
  return () => repeating.stop();
}
