/**
 * Checks an audit schedule's cron expression when the config is read, with
 * the parser the scheduler itself uses (croner, in the same mode), so the
 * config never accepts what the scheduler would refuse or the other way round
 * (`L`, `#`, `?`, names, steps, the `@daily`-style macros). What croner cannot
 * do is say which dialect dynflow speaks: that hint is added here.
 */
import { Cron, type CronOptions } from "croner";

/** How dynflow reads cron: five fields; day-of-month and day-of-week match when either does (as in Vixie cron). */
export const CRON_OPTIONS = Object.freeze({ mode: "5-part", domAndDow: false } satisfies CronOptions);

/** Null when croner accepts `expression` as the scheduler reads it, else croner's reason with a hint. */
export function checkCron(expression: string): string | null {
  try {
    // Paused and without a callback: the object only parses, no timer starts.
    new Cron(expression.trim(), { ...CRON_OPTIONS, paused: true });
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : String(error);
    return `${reason} (a schedule has 5 fields, minute hour day-of-month month day-of-week, or is a macro such as @daily)`;
  }
}
