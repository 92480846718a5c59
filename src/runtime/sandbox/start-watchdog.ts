import { CONTROL_BUDGET_MS, CONTROL_BURST, CONTROL_RUNNING } from "./protocol.js";

/** Inputs of `startWatchdog`. */
export interface WatchdogOptions {
  /** The control block the worker's `CpuMeter` publishes its bursts in. */
  control: Int32Array;
  /** Wall-clock time a burst may run past its CPU budget before `onOverrun`. */
  graceMs: number;
  /** Called once when a burst overran; the caller terminates the worker. */
  onOverrun(): void;
  /** Monotonic clock of this thread. */
  now?: () => number;
}

/**
 * Backstop for the CPU limit, on the host thread. The engine's interrupt
 * handler runs between operations, so one long native call (a huge sort, a
 * regular expression) can overrun it; the watchdog notices a burst that has
 * lasted longer than its budget plus grace and reports it. Returns `stop`.
 */
export function startWatchdog(options: WatchdogOptions): () => void {
  const { control, graceMs, onOverrun } = options;
  const now = options.now ?? (() => performance.now());
  let seenBurst = -1;
  let seenAt = 0;
  const timer = setInterval(
    () => {
      if (Atomics.load(control, CONTROL_RUNNING) === 0) return;
      const burst = Atomics.load(control, CONTROL_BURST);
      // Bursts are timed from when the watchdog first saw them: it may be late, never early.
      if (burst !== seenBurst) {
        seenBurst = burst;
        seenAt = now();
      } else if (now() - seenAt > Atomics.load(control, CONTROL_BUDGET_MS) + graceMs) {
        clearInterval(timer);
        onOverrun();
      }
    },
    Math.min(250, Math.max(10, Math.floor(graceMs / 4))),
  );
  timer.unref();
  return () => clearInterval(timer);
}
