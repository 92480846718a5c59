/**
 * When a cron schedule fires next, in the schedule's own time zone, by
 * croner. Times are milliseconds so they come from an injected clock.
 */
import { Cron } from "croner";
import { InvalidScheduleError } from "./errors.js";
import { isTimeZone } from "../time.js";

/** The time zone of a schedule that names none. */
export const DEFAULT_TIMEZONE = "UTC";

export interface NextRunOptions {
  /** IANA time zone the cron fields are read in (default UTC). */
  timezone?: string;
  /** The occurrence returned is strictly after this time (ms). */
  after: number;
  /** The audit's name, for the error message. */
  name?: string;
}

/**
 * The first occurrence of `cron` strictly after `after`, in ms. Five fields,
 * names (`MON`, `JAN`), lists, ranges, steps and the `@daily`-style macros;
 * day-of-month and day-of-week match when either does (as in Vixie cron).
 * Across daylight-saving changes a local time the clocks skip runs as much
 * later as the gap (02:30 becomes 03:30), and one that happens twice runs
 * once, at the first.
 * Throws `InvalidScheduleError` naming the entry for an invalid expression,
 * an unknown time zone, or an expression no date matches.
 */
export function nextRunAt(cron: string, options: NextRunOptions): number {
  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  const fields = { audit: options.name ?? null, cron, timezone };
  if (!isTimeZone(timezone)) throw new InvalidScheduleError({ ...fields, problem: "timezone" });
  let job: Cron;
  try {
    // No callback: the object only computes dates and starts no timer.
    job = new Cron(cron.trim(), { timezone, mode: "5-part", domAndDow: false, paused: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : undefined;
    throw new InvalidScheduleError({ ...fields, problem: "cron", detail }, { cause: error });
  }
  const next = job.nextRun(new Date(options.after));
  if (!next) throw new InvalidScheduleError({ ...fields, problem: "never" });
  return next.getTime();
}
