/**
 * Prunes transcripts older than the retention period: once at start, then
 * every `intervalMs`. Deleting by time is idempotent, so several processes
 * pruning the same database only repeat a cheap statement.
 */
import type { Logger } from "pino";
import { backgroundTimers, repeatEvery, type Clock, type Timers } from "../time.js";
import type { TranscriptStore } from "../store/index.js";

export interface TranscriptPruningOptions {
  transcripts: Pick<TranscriptStore, "prune">;
  retentionMs: number;
  clock: Clock;
  log: Pick<Logger, "info" | "warn">;
  /** Default one hour. */
  intervalMs?: number;
  /** Default: background timers (pruning never keeps the process alive). */
  timers?: Timers;
}

/** Starts pruning; returns the function that stops it. */
export function startTranscriptPruning(options: TranscriptPruningOptions): () => void {
  const prune = () =>
    options.transcripts.prune(options.clock.now() - options.retentionMs).then(
      (deleted) => {
        if (deleted > 0) options.log.info({ deleted, retentionMs: options.retentionMs }, "pruned old transcript entries");
      },
      (error: unknown) => options.log.warn({ err: error }, "could not prune old transcripts; trying again later"),
    );
  void prune();
  const repeating = repeatEvery(options.intervalMs ?? 3_600_000, () => void prune(), options.timers ?? backgroundTimers);
  return () => repeating.stop();
}
