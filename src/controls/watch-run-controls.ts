/**
 * The executing side of the dashboard's controls: while a run executes,
 * reads its new control requests (from any process: the web server, a
 * `dynflow ui`) and applies them here: `cancel` aborts the run, `stop-agent`
 * stops one agent. Requests made before the run started executing are not
 * replayed: each applies to the execution it was meant for.
 */
import type { Logger } from "pino";
import type { AgentStops } from "../runtime/agent-stops.js";
import type { RunControlStore } from "../store/index.js";
import { backgroundTimers, type Timers } from "../time.js";

/** How often a run's controls are read. */
export const CONTROL_POLL_MS = 1000;

export interface WatchRunControlsOptions {
  runId: string;
  controls: RunControlStore;
  stops: AgentStops;
  /** Aborts the run with the reason. */
  cancel: (reason: string) => void;
  /** Default: background timers. */
  timers?: Timers;
  intervalMs?: number;
  log: Pick<Logger, "info" | "warn">;
}

/** Starts watching; call `stop()` when the run's execution ends. */
export async function watchRunControls(options: WatchRunControlsOptions): Promise<{ stop(): void }> {
  const timers = options.timers ?? backgroundTimers;
  const interval = options.intervalMs ?? CONTROL_POLL_MS;
  let last = (await options.controls.list(options.runId).catch(() => [])).at(-1)?.seq ?? 0;
  let stopped = false;
  let timer: unknown = null;

  const tick = async () => {
    for (const control of await options.controls.list(options.runId, last)) {
      last = control.seq;
      const by = control.requestedBy ? `by @${control.requestedBy}` : "from the dashboard";
      if (control.action === "cancel") {
        options.log.info({ runId: options.runId, by: control.requestedBy }, "run cancelled from the dashboard");
        options.cancel(`cancelled ${by}`);
      } else if (control.agentId !== null) {
        const found = options.stops.stop(control.agentId, `stopped ${by}`);
        options.log.info({ runId: options.runId, agentId: control.agentId, by: control.requestedBy, found }, "agent stop requested");
      }
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = timers.setTimeout(() => {
      tick()
        .catch((error: unknown) => options.log.warn({ err: error, runId: options.runId }, "could not read the run's controls"))
        .finally(schedule);
    }, interval);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
    },
  };
}
