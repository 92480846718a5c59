import { describe, expect, it } from "vitest";
import { scheduledRunId } from "../../src/audit/scheduled-run-id.js";

describe("scheduledRunId", () => {
  const schedule = { installationId: 77, owner: "acme", repo: "widgets", name: "weekly-deps", cron: "0 9 * * 1", timezone: "UTC", spec: {}, nextRunAt: 0, lastRunAt: null };

  it("is the same for the same occurrence and differs between occurrences and schedules", () => {
    const at = Date.parse("2025-03-24T09:00:00Z");
    const id = scheduledRunId({ schedule, at });
    expect(id).toMatch(/^r-[0-9a-z]{10}$/);
    expect(scheduledRunId({ schedule: { ...schedule, nextRunAt: 123 }, at })).toBe(id);
    expect(scheduledRunId({ schedule, at: at + 7 * 86_400_000 })).not.toBe(id);
    expect(scheduledRunId({ schedule: { ...schedule, name: "nightly" }, at })).not.toBe(id);
    expect(scheduledRunId({ schedule: { ...schedule, installationId: 78 }, at })).not.toBe(id);
  });
});
