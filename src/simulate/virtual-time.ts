/**
 * Virtual time for simulations: simulated agents "take" minutes, yet a
 * simulation finishes in milliseconds. Sleepers wait on a virtual clock that
 * jumps to the next wake-up once nobody has started sleeping for a short,
 * real quiet period, i.e. once every agent that could start at the current
 * virtual moment has started. The virtual clock then reads how long the plan
 * takes at the run's concurrency.
 */
import { realTimers, type Timers } from "../time.js";

export interface VirtualTime {
  /** Virtual milliseconds since the start. */
  now(): number;
  /** Resolves when the virtual clock reaches now + `ms`; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface VirtualTimeOptions {
  /** Real milliseconds without a new sleeper before the clock jumps. Default 10. */
  quietMs?: number;
  timers?: Timers;
}

interface Sleeper {
  at: number;
  resolve: () => void;
}

/** Creates a virtual clock at 0. */
export function createVirtualTime(options: VirtualTimeOptions = {}): VirtualTime {
  const quietMs = options.quietMs ?? 10;
  const timers = options.timers ?? realTimers;
  let now = 0;
  let sleepers: Sleeper[] = [];
  let timer: unknown = null;

  const arm = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = timers.setTimeout(advance, quietMs);
  };

  const advance = () => {
    timer = null;
    if (sleepers.length === 0) return;
    // Everyone due at the earliest wake-up wakes together: they finish at the same virtual moment.
    const next = Math.min(...sleepers.map((sleeper) => sleeper.at));
    now = next;
    const due = sleepers.filter((sleeper) => sleeper.at === next);
    sleepers = sleepers.filter((sleeper) => sleeper.at !== next);
    for (const sleeper of due) sleeper.resolve();
    if (sleepers.length > 0) arm();
  };

  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        const reason = () => (signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
        if (signal?.aborted) return reject(reason());
        const onAbort = () => {
          sleepers = sleepers.filter((other) => other !== sleeper);
          reject(reason());
        };
        const sleeper: Sleeper = {
          at: now + Math.max(0, ms),
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        sleepers.push(sleeper);
        arm();
      });
    },
  };
}
