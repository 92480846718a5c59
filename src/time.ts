/**
 * Time as dynflow reads and waits on it: a `Clock` says what time it is,
 * `Timers` run something later. Both are injected with these defaults, so
 * nothing deep in the code reads `Date.now()` or calls `setTimeout` itself,
 * and a test can drive time by hand.
 */

/** Injected time source (milliseconds since the epoch, or any monotonic origin a test picks). */
export interface Clock {
  now(): number;
}

/** The host's clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Injected timer functions. A handle is whatever `setTimeout` returned; only `clearTimeout` reads it. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The global timers. They are looked up at call time, not captured at load,
 * so fake timers a test installs later (`vi.useFakeTimers()`) apply.
 */
export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The global timers for background work (deadlines, lease renewals, polls,
 * idle timeouts): a pending timer never keeps the process alive by itself.
 */
export const backgroundTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: realTimers.clearTimeout,
};

/** A repeating timer, stopped with `stop()`. */
export interface Repeating {
  stop(): void;
}

/**
 * Calls `tick` every `ms` until stopped, on `timers` (a `setInterval` that
 * can be injected). The next tick is armed before `tick` runs, so a slow or
 * throwing tick does not change the pace; `tick` must handle its own errors.
 */
export function repeatEvery(ms: number, tick: () => void, timers: Timers = realTimers): Repeating {
  let stopped = false;
  let handle: unknown = null;
  const arm = () => {
    handle = timers.setTimeout(() => {
      if (stopped) return;
      arm();
      tick();
    }, ms);
  };
  arm();
  return {
    stop() {
      stopped = true;
      timers.clearTimeout(handle);
    },
  };
}

/**
 * Resolves after `ms` on `timers`; rejects with the signal's reason (an
 * `Error`) when `signal` aborts first.
 */
export function sleep(ms: number, options: { timers?: Timers; signal?: AbortSignal } = {}): Promise<void> {
  const { signal } = options;
  const timers = options.timers ?? realTimers;
  return new Promise<void>((resolve, reject) => {
    const reason = () => (signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    if (signal?.aborted) return reject(reason());
    const onAbort = () => {
      timers.clearTimeout(handle);
      reject(reason());
    };
    const handle = timers.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Whether `name` is an IANA time zone this runtime knows (e.g. `Europe/Paris`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
