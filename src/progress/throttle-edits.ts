/**
 * Throttles edits of something shown to people (a status comment, a check
 * run): at most one write per interval, intermediate values coalesce (the
 * latest wins), and the final value is always written.
 */
import { realTimers, systemClock, type Clock, type Timers } from "../time.js";

export interface EditThrottleOptions<T> {
  /** Performs one edit. Writes never overlap. */
  write(value: T): Promise<void>;
  /** Least time between the starts of two writes, or a function asked at each wait (a pace that changes). Default 5,000 ms. */
  minIntervalMs?: number | (() => number);
  clock?: Clock;
  timers?: Timers;
  /** Called when an intermediate write fails; the next update (or the flush) writes again. */
  onError?(error: unknown): void;
}

export interface EditThrottle<T> {
  /** Offers a new value: written now if the interval has passed, else when it has (unless a newer value comes first). */
  update(value: T): void;
  /**
   * Writes `value` now (after the write in flight, if any), whatever the
   * interval, and counts it as a write for the next one. A pending value stays
   * pending. Rejects when this write fails.
   */
  write(value: T): Promise<void>;
  /**
   * Writes `value` as soon as the write in flight (if any) is done, whatever
   * the interval, and drops anything pending. Later `update` calls are
   * ignored. Rejects when this write fails.
   */
  flush(value: T): Promise<void>;
  /** Forgets the pending value, if any (a write in flight goes on); later `update` calls work as before. */
  dropPending(): void;
}

/** Creates a throttle around `options.write`. */
export function createEditThrottle<T>(options: EditThrottleOptions<T>): EditThrottle<T> {
  const interval = options.minIntervalMs ?? 5_000;
  const minIntervalMs = typeof interval === "function" ? interval : () => interval;
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? realTimers;
  const onError = options.onError ?? (() => {});

  let pending: { value: T } | null = null;
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  let timer: unknown = null;
  let closed = false;
  // Every write chains on this, so writes never overlap; it never rejects.
  let chain: Promise<void> = Promise.resolve();
  /** Writes started and not yet settled. */
  let writing = 0;

  const start = (value: T): Promise<void> => {
    writing++;
    const run = chain.then(() => {
      lastWriteAt = clock.now();
      return options.write(value);
    });
    chain = run.then(
      () => {
        writing--;
      },
      () => {
        writing--;
      },
    );
    return run;
  };

  const writePending = (): void => {
    if (closed || pending === null || writing > 0) return;
    const { value } = pending;
    pending = null;
    start(value).then(schedule, (error: unknown) => {
      onError(error);
      schedule();
    });
  };

  const schedule = (): void => {
    if (closed || pending === null || writing > 0 || timer !== null) return;
    const wait = lastWriteAt + minIntervalMs() - clock.now();
    if (wait <= 0) return writePending();
    // The timer alone decides: the clock is not asked again, so a clock that
    // does not follow the timers cannot keep the write waiting.
    timer = timers.setTimeout(() => {
      timer = null;
      writePending();
    }, wait);
  };

  return {
    update(value) {
      if (closed) return;
      pending = { value };
      schedule();
    },
    write(value) {
      if (timer !== null) {
        timers.clearTimeout(timer);
        timer = null;
      }
      const run = start(value);
      // Once it is done, whatever is pending waits a full interval from this write.
      run.then(schedule, schedule);
      return run;
    },
    flush(value) {
      closed = true;
      pending = null;
      if (timer !== null) {
        timers.clearTimeout(timer);
        timer = null;
      }
      return start(value);
    },
    dropPending() {
      pending = null;
      if (timer !== null) {
        timers.clearTimeout(timer);
        timer = null;
      }
    },
  };
}
