/**
 * The embedded audit scheduler: every process ticks, and the store decides
 * which one fires each occurrence. `schedules.claim` is a compare-and-set on
 * the occurrence, so of any number of processes sharing the database (one
 * SQLite file, or PostgreSQL) exactly one wins it, and only the winner fires.
 * No Redis is needed for that guarantee.
 */
import pino, { type Logger } from "pino";
import { realTimers, systemClock, type Clock, type Timers } from "../time.js";
import type { ScheduleRecord, Store } from "../store/index.js";
import { nextRunAt } from "./next-run.js";
import { auditFromSchedule } from "./schedule-spec.js";
import type { FireSchedule, ScheduledFiring } from "./types.js";

/** How often the store is asked for due schedules unless told otherwise. */
export const DEFAULT_SCHEDULER_INTERVAL_MS = 30_000;

export interface StartSchedulerOptions {
  store: Pick<Store, "schedules">;
  fire: FireSchedule;
  clock?: Clock;
  timers?: Timers;
  /** Time between the end of one tick and the start of the next (default 30,000 ms). */
  intervalMs?: number;
  log?: Pick<Logger, "info" | "warn" | "error">;
}

/** What one tick did. */
export interface TickResult {
  /** Occurrences this process claimed and fired (including ones whose `fire` threw). */
  fired: ScheduledFiring[];
  /** Due occurrences another process claimed first. */
  lost: number;
}

export interface Scheduler {
  /** Runs one tick now (after any tick in progress); the timer keeps its own pace. */
  tick(): Promise<TickResult>;
  /** Stops ticking and waits for a tick in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Starts ticking at once, then every `intervalMs` after the previous tick
 * ends. Each tick lists the schedules due at the clock's now; for each, it
 * claims the occurrence, moving the schedule to its next occurrence after
 * now, and calls `fire` when the claim is won. Occurrences missed while no
 * process ran fire once, not once each. A `fire` that throws is logged and
 * its occurrence is not retried; a store error is logged and the next tick
 * tries again.
 */
export function startScheduler(options: StartSchedulerOptions): Scheduler {
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? realTimers;
  const log = options.log ?? pino({ level: "silent" });
  const intervalMs = options.intervalMs ?? DEFAULT_SCHEDULER_INTERVAL_MS;
  let stopped = false;
  let handle: unknown;
  // The first tick runs at once: occurrences missed while no process ran are due now.
  let delay = 0;
  let last: Promise<unknown> = Promise.resolve();
  const unrunnable = new Set<string>();

  async function runTick(): Promise<TickResult> {
    const result: TickResult = { fired: [], lost: 0 };
    const now = clock.now();
    for (const schedule of await options.store.schedules.due(now)) {
      if (stopped) break;
      const firing = await claim(schedule, now);
      if (firing === null) result.lost++;
      else if (firing !== undefined) {
        result.fired.push(firing);
        await fire(firing);
      }
    }
    return result;
  }

  /** The firing when this process won the occurrence, null when another did, undefined when it cannot run. */
  async function claim(schedule: ScheduleRecord, now: number): Promise<ScheduledFiring | null | undefined> {
    const where = { installationId: schedule.installationId, owner: schedule.owner, repo: schedule.repo, name: schedule.name };
    let next: number;
    let firing: ScheduledFiring;
    try {
      next = nextRunAt(schedule.cron, { timezone: schedule.timezone, after: now, name: schedule.name });
      firing = { schedule, at: schedule.nextRunAt, audit: auditFromSchedule(schedule) };
    } catch (error) {
      // Left due, so it runs once its config is pushed again (sync validates
      // before writing). Said once per process, not on every tick.
      const id = `${where.installationId}/${where.owner}/${where.repo}/${where.name}@${schedule.nextRunAt}`;
      if (!unrunnable.has(id)) log.error({ ...fields(schedule), err: error }, "scheduled audit cannot run");
      unrunnable.add(id);
      return undefined;
    }
    if (!(await options.store.schedules.claim(where, schedule.nextRunAt, next))) return null;
    return firing;
  }

  async function fire(firing: ScheduledFiring): Promise<void> {
    try {
      await options.fire(firing);
      log.info({ ...fields(firing.schedule), at: firing.at }, "scheduled audit fired");
    } catch (error) {
      log.error({ ...fields(firing.schedule), at: firing.at, err: error }, "scheduled audit failed to start");
    }
  }

  /** Ticks run one after another, whoever asks for them. */
  function tick(): Promise<TickResult> {
    const next = last.then(runTick, runTick);
    last = next.catch(() => undefined);
    return next;
  }

  function loop(): void {
    handle = timers.setTimeout(() => {
      tick()
        .catch((error: unknown) => log.warn({ err: error }, "scheduler tick failed; trying again next tick"))
        .finally(() => {
          if (!stopped) loop();
        });
    }, delay);
    delay = intervalMs;
  }

  loop();

  return {
    tick,
    async stop() {
      stopped = true;
      timers.clearTimeout(handle);
      await last;
    },
  };
}

/** Log fields of a schedule (`audit`, not `name`: pino's `name` is the logger's). */
function fields(schedule: ScheduleRecord) {
  return { installationId: schedule.installationId, owner: schedule.owner, repo: schedule.repo, audit: schedule.name };
}
