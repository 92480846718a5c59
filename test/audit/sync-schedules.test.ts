import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidScheduleError } from "../../src/audit/errors.js";
import { auditFromSchedule } from "../../src/audit/schedule-spec.js";
import { removeInstallationSchedules, removeRepositorySchedules, syncSchedules } from "../../src/audit/sync-schedules.js";
import type { AuditConfig } from "../../src/config/repo-config.js";
import type { Store } from "../../src/store/types.js";
import { manualClock, sqliteSite, type StoreSite } from "./stores.js";

const repoKey = { installationId: 77, owner: "acme", repo: "widgets" };
const deps: AuditConfig = { name: "weekly-deps", cron: "0 9 * * 1", timezone: "Europe/Paris", workflow: "audit", args: { focus: "deps" }, budget: { usd: 10 }, batch: true };
const secrets: AuditConfig = { name: "nightly-secrets", cron: "0 2 * * *", workflow: "audit-secrets" };

let site: StoreSite;
let store: Store;
const clock = manualClock("2025-03-20T12:00:00Z");

beforeEach(async () => {
  clock.set("2025-03-20T12:00:00Z");
  site = await sqliteSite();
  store = await site.open(clock);
});
afterEach(async () => {
  await store.close();
  await site.dispose();
});

const nextRuns = async () =>
  Object.fromEntries((await store.schedules.listForRepo(repoKey)).map((record) => [record.name, new Date(record.nextRunAt).toISOString()]));

describe("syncSchedules", () => {
  it("stores each audit with its next occurrence in its time zone, and reads the audit back", async () => {
    const synced = await syncSchedules({ store, repoKey, audits: [deps, secrets], clock });
    expect(synced.removed).toEqual([]);
    expect(await nextRuns()).toEqual({ "weekly-deps": "2025-03-24T08:00:00.000Z", "nightly-secrets": "2025-03-21T02:00:00.000Z" });
    const byName = Object.fromEntries(synced.schedules.map((record) => [record.name, record]));
    expect(byName["nightly-secrets"]?.timezone).toBe("UTC");
    expect(auditFromSchedule(byName["weekly-deps"]!)).toEqual(deps);
    expect(auditFromSchedule(byName["nightly-secrets"]!)).toEqual({ ...secrets, timezone: "UTC" });
  });

  it("keeps the pending occurrence of an unchanged audit, re-times a changed one, removes a dropped one", async () => {
    await syncSchedules({ store, repoKey, audits: [deps, secrets], clock });
    // Monday's 09:00 (08:00Z) is due and not yet claimed when the config is pushed again.
    clock.set("2025-03-24T08:00:30Z");
    const synced = await syncSchedules({ store, repoKey, audits: [{ ...deps, args: { focus: "licences" } }, { ...secrets, cron: "0 3 * * *" }], clock });
    expect(await nextRuns()).toEqual({ "weekly-deps": "2025-03-24T08:00:00.000Z", "nightly-secrets": "2025-03-25T03:00:00.000Z" });
    expect(auditFromSchedule(synced.schedules.find((record) => record.name === "weekly-deps")!).args).toEqual({ focus: "licences" });

    expect((await syncSchedules({ store, repoKey, audits: [secrets], clock })).removed).toEqual(["weekly-deps"]);
    expect(Object.keys(await nextRuns())).toEqual(["nightly-secrets"]);
    expect((await syncSchedules({ store, repoKey, audits: [], clock })).removed).toEqual(["nightly-secrets"]);
    expect(await nextRuns()).toEqual({});
  });

  it("writes nothing when an audit cannot be scheduled, and names it", async () => {
    await syncSchedules({ store, repoKey, audits: [deps], clock });
    const before = await store.schedules.listForRepo(repoKey);
    const attempt = syncSchedules({ store, repoKey, audits: [secrets, { ...deps, name: "leap", cron: "0 0 30 2 *" }], clock });
    await expect(attempt).rejects.toBeInstanceOf(InvalidScheduleError);
    await expect(attempt).rejects.toMatchObject({ audit: "leap", problem: "never" });
    expect(await store.schedules.listForRepo(repoKey)).toEqual(before);
  });

  it("removes a repository's schedules, and an installation's", async () => {
    const other = { ...repoKey, repo: "gadgets" };
    await syncSchedules({ store, repoKey, audits: [deps, secrets], clock });
    await syncSchedules({ store, repoKey: other, audits: [deps], clock });
    await syncSchedules({ store, repoKey: { ...repoKey, installationId: 78 }, audits: [deps], clock });
    expect(await removeRepositorySchedules(store, other)).toBe(1);
    expect(await removeInstallationSchedules(store, 77)).toBe(2);
    expect(await store.schedules.listForRepo(repoKey)).toEqual([]);
    expect(await store.schedules.listForRepo({ ...repoKey, installationId: 78 })).toHaveLength(1);
  });
});
