/**
 * Timers for background work of a run (deadlines, lease renewals) that must
 * never keep the process alive on their own.
 */
import type { Timers } from "../progress/throttle-edits.js";

/** `setTimeout`/`clearTimeout` with the timer unref'd. */
export const backgroundTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
