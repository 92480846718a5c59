import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startScheduler, type Scheduler } from "../../src/audit/start-scheduler.js";
import type { Timers } from "../../src/time.js";
import { syncSchedules } from "../../src/audit/sync-schedules.js";
import type { ScheduledFiring } from "../../src/audit/types.js";
import type { AuditConfig } from "../../src/config/repo-config.js";
import type { Store } from "../../src/store/types.js";
import { captureLog } from "../github/octokit.js";
import { manualClock, postgresAnswers, postgresSite, POSTGRES_URL, sqliteSite, type ManualClock, type StoreSite } from "./stores.js";

const repoKey = { installationId: 77, owner: "acme", repo: "widgets" };
const weekly: AuditConfig = { name: "weekly-deps", cron: "0 9 * * 1", timezone: "Europe/Paris", workflow: "audit", batch: true };
const iso = (ms: number) => new Date(ms).toISOString();

/** Timers the test runs by hand: nothing fires unless the test says so. */
function manualTimers(): Timers & { delays: number[]; pending(): number; runNext(): void; waitForTimer(): Promise<void> } {
  const pending = new Map<number, () => void>();
  const delays: number[] = [];
  let id = 0;
  return {
    delays,
    setTimeout(callback, ms) {
      delays.push(ms);
      pending.set(++id, callback);
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    pending: () => pending.size,
    runNext() {
      const [entry] = pending;
      if (!entry) throw new Error("no timer is pending");
      pending.delete(entry[0]);
      entry[1]();
    },
    async waitForTimer() {
      for (let turn = 0; pending.size === 0; turn++) {
        if (turn > 10_000) throw new Error("the scheduler armed no timer");
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
  };
}

/** Starts `count` schedulers ("processes"), each on its own store connection to `site`, sharing one clock. */
async function processes(site: StoreSite, clock: ManualClock, count: number) {
  const stores: Store[] = [];
  const schedulers: Scheduler[] = [];
  const fired: { process: number; firing: ScheduledFiring }[] = [];
  for (let process = 0; process < count; process++) {
    const store = await site.open(clock);
    stores.push(store);
    schedulers.push(startScheduler({ store, clock, timers: manualTimers(), fire: (firing) => void fired.push({ process, firing }) }));
  }
  return {
    stores,
    schedulers,
    fired,
    /** Every process ticks at the same moment. */
    tickAll: () => Promise.all(schedulers.map((scheduler) => scheduler.tick())),
    async close() {
      for (const scheduler of schedulers) await scheduler.stop();
      for (const store of stores) await store.close();
    },
  };
}

let site: StoreSite;
afterEach(async () => {
  await site?.dispose();
});

describe("startScheduler", () => {
  it("fires a Europe/Paris schedule at 09:00 local time on both sides of the DST change, once each", async () => {
    site = await sqliteSite();
    const clock = manualClock("2025-03-20T12:00:00Z");
    const world = await processes(site, clock, 1);
    await syncSchedules({ store: world.stores[0]!, repoKey, audits: [weekly], clock });
    const ats = () => world.fired.map(({ firing }) => iso(firing.at));

    for (const now of ["2025-03-21T00:00:00Z", "2025-03-24T07:59:59Z"]) {
      clock.set(now);
      await world.tickAll();
    }
    expect(world.fired).toEqual([]);
    clock.set("2025-03-24T08:00:00Z");
    await world.tickAll();
    await world.tickAll();
    expect(ats()).toEqual(["2025-03-24T08:00:00.000Z"]);
    expect(world.fired[0]!.firing.audit).toEqual(weekly);
    expect(world.fired[0]!.firing.schedule).toMatchObject({ ...repoKey, name: "weekly-deps" });

    // After the change to summer time, 09:00 in Paris is 07:00Z.
    clock.set("2025-03-31T06:59:59Z");
    await world.tickAll();
    expect(ats()).toHaveLength(1);
    clock.set("2025-03-31T07:00:10Z");
    await world.tickAll();
    expect(ats()).toEqual(["2025-03-24T08:00:00.000Z", "2025-03-31T07:00:00.000Z"]);
    const [record] = await world.stores[0]!.schedules.listForRepo(repoKey);
    expect([iso(record!.lastRunAt!), iso(record!.nextRunAt)]).toEqual(["2025-03-31T07:00:00.000Z", "2025-04-07T07:00:00.000Z"]);
    await world.close();
  });

  it("fires occurrences missed while nothing ran once, then goes on from now", async () => {
    site = await sqliteSite();
    const clock = manualClock("2025-03-20T12:00:00Z");
    const world = await processes(site, clock, 1);
    await syncSchedules({ store: world.stores[0]!, repoKey, audits: [weekly], clock });
    clock.set("2025-04-16T12:00:00Z"); // three Mondays later
    await world.tickAll();
    await world.tickAll();
    expect(world.fired.map(({ firing }) => iso(firing.at))).toEqual(["2025-03-24T08:00:00.000Z"]);
    expect(iso((await world.stores[0]!.schedules.listForRepo(repoKey))[0]!.nextRunAt)).toBe("2025-04-21T07:00:00.000Z");
    await world.close();
  });

  it("ticks at once, then every interval after the previous tick, until stopped", async () => {
    site = await sqliteSite();
    const clock = manualClock("2025-03-24T08:00:00Z");
    const store = await site.open(clock);
    await store.schedules.upsertForRepo(repoKey, [{ name: "due", cron: "0 9 * * 1", timezone: "UTC", spec: { workflow: "audit" }, nextRunAt: Date.parse("2025-03-24T07:00:00Z") }]);
    const timers = manualTimers();
    const fired: ScheduledFiring[] = [];
    const scheduler = startScheduler({ store, clock, timers, intervalMs: 5000, fire: (firing) => void fired.push(firing) });
    expect(timers.delays).toEqual([0]);
    timers.runNext();
    await timers.waitForTimer();
    expect(fired.map((firing) => iso(firing.at))).toEqual(["2025-03-24T07:00:00.000Z"]);
    expect(timers.delays).toEqual([0, 5000]);
    await scheduler.stop();
    expect(timers.pending()).toBe(0);
    await store.close();
  });

  it("logs a fire that throws and does not fire that occurrence again; a schedule it cannot compute is left alone", async () => {
    site = await sqliteSite();
    const clock = manualClock("2025-03-24T08:00:00Z");
    const store = await site.open(clock);
    const due = Date.parse("2025-03-24T07:00:00Z");
    await store.schedules.upsertForRepo(repoKey, [
      { name: "broken-zone", cron: "0 9 * * 1", timezone: "Mars/Olympus_Mons", spec: { workflow: "audit" }, nextRunAt: due },
      { name: "throws", cron: "0 9 * * 1", timezone: "UTC", spec: { workflow: "audit" }, nextRunAt: due },
    ]);
    const { log, entries } = captureLog();
    const calls: string[] = [];
    const scheduler = startScheduler({
      store,
      clock,
      log,
      timers: manualTimers(),
      fire: (firing) => {
        calls.push(firing.schedule.name);
        throw new Error("queue is down");
      },
    });
    const first = await scheduler.tick();
    const second = await scheduler.tick();
    expect(calls).toEqual(["throws"]);
    expect(first.fired.map((firing) => firing.schedule.name)).toEqual(["throws"]);
    expect(second.fired).toEqual([]);
    // Each problem is logged once, not on every tick.
    const errors = entries.filter((entry) => entry.level === 50).map((entry) => [entry.msg, entry.audit]);
    expect(errors).toEqual([
      ["scheduled audit cannot run", "broken-zone"],
      ["scheduled audit failed to start", "throws"],
    ]);
    // The broken schedule stays due (it runs once its config is fixed); the other moved on.
    const byName = Object.fromEntries((await store.schedules.listForRepo(repoKey)).map((record) => [record.name, record.nextRunAt]));
    expect(byName["broken-zone"]).toBe(due);
    expect(byName["throws"]).toBe(Date.parse("2025-03-24T09:00:00Z"));
    await scheduler.stop();
    await store.close();
  });

  it("fires each occurrence exactly once across processes sharing a SQLite file", async () => {
    site = await sqliteSite();
    await fireOnceAcrossProcesses(site);
  });
});

const postgres = await postgresAnswers();

describe("startScheduler on PostgreSQL", () => {
  if (!postgres && !process.env.CI) {
    const reason = `needs a PostgreSQL server: none answers at ${new URL(POSTGRES_URL).host}; start one or set DATABASE_URL`;
    console.warn(`audit scheduler PostgreSQL tests skipped: ${reason}`);
    it.skip(reason, () => {});
    return;
  }
  beforeAll(() => {
    // In CI a missing server must fail here rather than skip.
    expect(postgres).toBe(true);
  });

  it("fires each occurrence exactly once when two processes with their own connections tick at the same moment", async () => {
    site = await postgresSite();
    await fireOnceAcrossProcesses(site);
  });
});

/** Two processes, several schedules, every occurrence of six weeks: each fired by exactly one process. */
async function fireOnceAcrossProcesses(where: StoreSite): Promise<void> {
  const clock = manualClock("2025-03-20T12:00:00Z");
  const world = await processes(where, clock, 2);
  const audits = [weekly, { ...weekly, name: "weekly-utc", timezone: "UTC" }, { ...weekly, name: "daily", cron: "30 6 * * *" }];
  await syncSchedules({ store: world.stores[0]!, repoKey, audits, clock });
  const start = clock.now();
  for (let hour = 1; hour <= 6 * 7 * 24; hour += 7) {
    clock.set(iso(start + hour * 3_600_000));
    await world.tickAll();
  }
  const occurrences = world.fired.map(({ firing }) => `${firing.schedule.name}@${iso(firing.at)}`);
  expect(new Set(occurrences).size).toBe(occurrences.length);
  const weeklyParis = occurrences.filter((occurrence) => occurrence.startsWith("weekly-deps@"));
  expect(weeklyParis).toEqual([
    "weekly-deps@2025-03-24T08:00:00.000Z",
    "weekly-deps@2025-03-31T07:00:00.000Z",
    "weekly-deps@2025-04-07T07:00:00.000Z",
    "weekly-deps@2025-04-14T07:00:00.000Z",
    "weekly-deps@2025-04-21T07:00:00.000Z",
    "weekly-deps@2025-04-28T07:00:00.000Z",
  ]);
  expect(occurrences.filter((occurrence) => occurrence.startsWith("weekly-utc@"))).toHaveLength(6);
  // Ticks 7 hours apart see every daily occurrence (one a day) across the 6 weeks.
  expect(occurrences.filter((occurrence) => occurrence.startsWith("daily@"))).toHaveLength(42);
  await world.close();
}
