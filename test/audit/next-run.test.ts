import { describe, expect, it } from "vitest";
import { InvalidScheduleError } from "../../src/audit/errors.js";
import { nextRunAt } from "../../src/audit/next-run.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("nextRunAt", () => {
  it("reads the cron fields in the schedule's time zone, across the spring daylight-saving change", () => {
    // Europe/Paris moves from UTC+1 to UTC+2 on Sunday 2025-03-30: Monday 09:00 moves from 08:00Z to 07:00Z.
    const paris = { timezone: "Europe/Paris" };
    expect(iso(nextRunAt("0 9 * * 1", { ...paris, after: at("2025-03-20T12:00:00Z") }))).toBe("2025-03-24T08:00:00.000Z");
    expect(iso(nextRunAt("0 9 * * 1", { ...paris, after: at("2025-03-24T08:00:00Z") }))).toBe("2025-03-31T07:00:00.000Z");
    // And back in autumn (2025-10-26).
    expect(iso(nextRunAt("0 9 * * 1", { ...paris, after: at("2025-10-21T00:00:00Z") }))).toBe("2025-10-27T08:00:00.000Z");
  });

  it("is strictly after `after`, and reads UTC when no time zone is given", () => {
    expect(iso(nextRunAt("0 9 * * *", { after: at("2025-03-24T08:59:59.999Z") }))).toBe("2025-03-24T09:00:00.000Z");
    expect(iso(nextRunAt("0 9 * * *", { after: at("2025-03-24T09:00:00Z") }))).toBe("2025-03-25T09:00:00.000Z");
  });

  it("runs a skipped local time after the gap, and a repeated one once", () => {
    const paris = { timezone: "Europe/Paris" };
    // 02:30 does not exist on 2025-03-30 in Paris (02:00 -> 03:00): it runs at 03:30 local.
    expect(iso(nextRunAt("30 2 * * *", { ...paris, after: at("2025-03-29T12:00:00Z") }))).toBe("2025-03-30T01:30:00.000Z");
    // 02:30 happens twice on 2025-10-26: it runs at the first one, then not again that day.
    const first = nextRunAt("30 2 * * *", { ...paris, after: at("2025-10-25T12:00:00Z") });
    expect(iso(first)).toBe("2025-10-26T00:30:00.000Z");
    expect(iso(nextRunAt("30 2 * * *", { ...paris, after: first }))).toBe("2025-10-27T01:30:00.000Z");
  });

  it("accepts what the config accepts: names, macros, ranges, steps, 7 for Sunday", () => {
    const after = at("2025-03-24T09:00:00Z"); // a Monday
    expect(iso(nextRunAt("0 6 * * MON", { after }))).toBe("2025-03-31T06:00:00.000Z");
    expect(iso(nextRunAt("@weekly", { after }))).toBe("2025-03-30T00:00:00.000Z");
    expect(iso(nextRunAt("@midnight", { after }))).toBe("2025-03-25T00:00:00.000Z");
    expect(iso(nextRunAt("*/15 8-17 * JAN-MAR,dec *", { after }))).toBe("2025-03-24T09:15:00.000Z");
    expect(iso(nextRunAt("0 9 * * 7", { after }))).toBe("2025-03-30T09:00:00.000Z");
    // Day of month OR day of week, as in Vixie cron: the 1st, or any Monday.
    expect(iso(nextRunAt("0 9 1 * 1", { after }))).toBe("2025-03-31T09:00:00.000Z");
  });

  it("names the entry and the problem when it cannot schedule", () => {
    const after = at("2025-03-24T09:00:00Z");
    const attempt = (cron: string, timezone?: string) => {
      try {
        nextRunAt(cron, { timezone, after, name: "weekly-deps" });
      } catch (error) {
        return error;
      }
      throw new Error("expected an error");
    };
    const badField = attempt("61 9 * * 1");
    expect(badField).toBeInstanceOf(InvalidScheduleError);
    expect(badField).toMatchObject({ code: "invalid_schedule", audit: "weekly-deps", cron: "61 9 * * 1", problem: "cron" });
    expect((badField as Error).message).toMatch(/audit "weekly-deps".*"61 9 \* \* 1"/);
    expect(attempt("0 9 * * 1 2025")).toMatchObject({ problem: "cron" });
    expect(attempt("0 9 * * 1", "Mars/Olympus_Mons")).toMatchObject({ problem: "timezone", timezone: "Mars/Olympus_Mons" });
    expect(attempt("0 0 31 2 *")).toMatchObject({ problem: "never" });
  });
});
