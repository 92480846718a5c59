/**
 * Holds one run's progress as its events arrive: the state of the pure
 * reducer (`applyEvent`), and snapshots of it. Time only from the injected
 * clock.
 */
import type { RunEvent } from "../runtime/types.js";
import { systemClock, type Clock } from "../time.js";
import { applyEvent, DEFAULT_PROGRESS_LIMITS, INITIAL_PROGRESS, snapshotOf, type ProgressLimits } from "./apply-event.js";
import type { ProgressSnapshot } from "./types.js";

export interface ProgressTrackerOptions extends Partial<ProgressLimits> {
  /** Time source for the elapsed time of a run still going. Default: the system clock. */
  clock?: Clock;
  /** When the run first started, for a run executed again (resumed, taken over): elapsed time counts from it. */
  startedAt?: number | null;
}

export interface ProgressTracker {
  /** Feeds one event. Bound: pass it as the runtime's `onEvent`. */
  readonly apply: (event: RunEvent) => void;
  /** The progress so far. */
  snapshot(): ProgressSnapshot;
}

/** Creates a tracker; feed it every `RunEvent` of one run, in order. */
export function createProgressTracker(options: ProgressTrackerOptions = {}): ProgressTracker {
  const clock = options.clock ?? systemClock;
  const limits: ProgressLimits = {
    logTail: options.logTail ?? DEFAULT_PROGRESS_LIMITS.logTail,
    maxLogLength: options.maxLogLength ?? DEFAULT_PROGRESS_LIMITS.maxLogLength,
  };
  let state: typeof INITIAL_PROGRESS = { ...INITIAL_PROGRESS, startedAt: options.startedAt ?? null };
  return {
    apply: (event) => {
      state = applyEvent(state, event, limits);
    },
    snapshot: () => snapshotOf(state, () => clock.now()),
  };
}
