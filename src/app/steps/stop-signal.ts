/**
 * What stops a run step: `/dynflow cancel` (through the cancel registry) or
 * the run's wall-clock deadline. One signal for both; the abort reason says
 * which, and the runtime reports a deadline as a cancellation with that reason.
 */
import { formatDuration } from "../../report/format-values.js";
import { backgroundTimers, type Timers } from "../../time.js";
import type { CancelRegistry } from "./cancel-registry.js";

export interface RunStopSignal {
  signal: AbortSignal;
  /** Clears the deadline and unregisters from the cancel registry. */
  dispose(): void;
}


/** Registers the step of `runId`; `deadlineMs` null means no deadline (planning). */
export function createRunStopSignal(cancels: CancelRegistry, runId: string, deadlineMs: number | null, timers: Timers = backgroundTimers): RunStopSignal {
  const cancelled = cancels.register(runId);
  if (deadlineMs === null) return { signal: cancelled, dispose: () => cancels.unregister(runId, cancelled) };
  const deadline = new AbortController();
  const timer = timers.setTimeout(() => deadline.abort(new Error(`the run reached its deadline of ${formatDuration(deadlineMs)}`)), deadlineMs);
  return {
    signal: AbortSignal.any([cancelled, deadline.signal]),
    dispose() {
      timers.clearTimeout(timer);
      cancels.unregister(runId, cancelled);
    },
  };
}
