import { describe, expect, it } from "vitest";
import { checkCron } from "../../src/config/check-cron.js";

describe("checkCron", () => {
  it.each([
    "0 6 * * 1",
    "*/15 * * * *",
    "0 0 1 1 *",
    "30 2 * * MON-FRI",
    "0 9-17/2 * jan,jul sun",
    "5,10,15 0 1-7 * 7",
    "  0 6 * * 1  ",
    "@daily",
    "@Weekly",
    // What the scheduler (croner) runs, so the config accepts it too.
    "0 0 L * *",
    "0 9 * * 5#2",
    "0 0 ? * MON",
    "0 0 * * 5L",
  ])("accepts %j", (expression) => {
    expect(checkCron(expression)).toBeNull();
  });

  it.each([
    ["0 6 * *", "exactly five, six, or seven"],
    ["0 6 * * * *", "requires exactly 5 parts"],
    ["60 * * * *", "Invalid value for minute: 60"],
    ["0 24 * * *", "hour: 24"],
    ["0 0 0 * *", "Invalid value for day"],
    ["0 0 * 13 *", "Invalid value for month"],
    ["0 0 * * 8", "day"],
    ["0 0 * * funday", "(funday) contains illegal characters"],
    ["*/0 * * * *", "illegal stepping: 0"],
    ["5-1 * * * *", "From value is larger than to value"],
    ["1,,2 * * * *", "is empty"],
    ["1/2/3 * * * *", "illegal stepping"],
    ["@sometimes", "invalid configuration format"],
    ["", "invalid configuration format"],
  ])("rejects %j", (expression, problem) => {
    expect(checkCron(expression)).toContain(problem);
    expect(checkCron(expression)).toContain("a schedule has 5 fields");
  });

  it("agrees with the scheduler on every expression", async () => {
    const { nextRunAt } = await import("../../src/audit/next-run.js");
    for (const expression of ["0 0 L * *", "0 9 * * 5#2", "0 0 ? * MON", "0 0 31 2 *", "0 6 * * 1", "61 * * * *"]) {
      const scheduler = (() => {
        try {
          nextRunAt(expression, { after: Date.UTC(2026, 0, 1) });
          return true;
        } catch {
          return false;
        }
      })();
      // An expression no date matches parses; the scheduler reports it when it looks for the next run.
      if (expression === "0 0 31 2 *") expect(checkCron(expression)).toBeNull();
      else expect(checkCron(expression) === null, expression).toBe(scheduler);
    }
  });
});
