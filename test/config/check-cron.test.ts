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
  ])("accepts %j", (expression) => {
    expect(checkCron(expression)).toBeNull();
  });

  it.each([
    ["0 6 * *", "has 5 fields"],
    ["0 6 * * * *", "this one has 6"],
    ["60 * * * *", 'minute: "60" is not a value from 0 to 59'],
    ["0 24 * * *", 'hour: "24"'],
    ["0 0 0 * *", 'day of month: "0"'],
    ["0 0 * 13 *", 'month: "13"'],
    ["0 0 * * 8", 'day of week: "8"'],
    ["0 0 * * funday", 'day of week: "funday"'],
    ["*/0 * * * *", 'step "0"'],
    ["5-1 * * * *", "goes backwards"],
    ["1,,2 * * * *", '"" is not a value'],
    ["1/2/3 * * * *", 'more than one "/"'],
    ["@sometimes", "unknown cron macro"],
    ["", "this one has 0"],
  ])("rejects %j", (expression, problem) => {
    expect(checkCron(expression)).toContain(problem);
  });
});
