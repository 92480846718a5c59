/**
 * The BullMQ scheduler on a real Redis (`REDIS_URL`, default 127.0.0.1:6379),
 * under a prefix of its own. Without a server the tests are skipped with a
 * message, except in CI, where they fail.
 */
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { schedulerId, startQueueScheduler, toQueuePattern, type QueueScheduler } from "../../src/audit/start-queue-scheduler.js";
import type { ScheduledFiring } from "../../src/audit/types.js";
import type { Store } from "../../src/store/types.js";
import { REDIS_URL, redisAnswers } from "../queue/redis-server.js";
import { manualClock, sqliteSite, type StoreSite } from "./stores.js";

const redisOptions = () => {
  const url = new URL(REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379), password: url.password || undefined, maxRetriesPerRequest: null };
};


const available = await redisAnswers();
const repoKey = { installationId: 77, owner: "acme", repo: "widgets" };
const QUEUE = "dynflow-audits";

describe("toQueuePattern and schedulerId", () => {
  it("spells cron macros out for BullMQ and keeps other expressions", () => {
    expect(toQueuePattern("@weekly")).toBe("0 0 * * 0");
    expect(toQueuePattern(" @Daily ")).toBe("0 0 * * *");
    expect(toQueuePattern("0 9 * * MON")).toBe("0 9 * * MON");
    expect(schedulerId({ ...repoKey, name: "weekly-deps" })).toBe("audit/77/acme/widgets/weekly-deps");
  });
});

describe("startQueueScheduler", () => {
  if (!available && !process.env.CI) {
    const reason = `needs a Redis server: none answers at ${new URL(REDIS_URL).host}; start one or set REDIS_URL`;
    console.warn(`audit queue scheduler tests skipped: ${reason}`);
    it.skip(reason, () => {});
    return;
  }

  const prefix = `dynflow-test-${randomBytes(4).toString("hex")}`;
  let site: StoreSite;
  const opened: { close(): Promise<void> }[] = [];

  beforeAll(() => {
    // In CI a missing server must fail here rather than skip.
    expect(available).toBe(true);
  });
  afterEach(async () => {
    for (const thing of opened.splice(0).reverse()) await thing.close();
    const queue = new Queue(QUEUE, { connection: redisOptions(), prefix });
    await queue.obliterate({ force: true });
    await queue.close();
    await site.dispose();
  });

  /** A "process": its own store connection and its own Redis connections. */
  async function startProcess(process: number, fired: { process: number; firing: ScheduledFiring }[]): Promise<{ store: Store; scheduler: QueueScheduler }> {
    const store = await site.open(manualClock("2025-03-20T12:00:00Z"));
    opened.push(store);
    const scheduler = startQueueScheduler({
      connection: redisOptions(),
      prefix,
      store,
      // Reconciled by hand in these tests.
      timers: { setTimeout: () => 0, clearTimeout: () => undefined },
      fire: (firing) => void fired.push({ process, firing }),
    });
    opened.push(scheduler);
    return { store, scheduler };
  }

  it("hands each occurrence to exactly one of two workers", async () => {
    site = await sqliteSite();
    const fired: { process: number; firing: ScheduledFiring }[] = [];
    const a = await startProcess(0, fired);
    const b = await startProcess(1, fired);
    // Every second (BullMQ reads a sixth field as seconds), so the test sees several occurrences quickly.
    await a.store.schedules.upsertForRepo(repoKey, [{ name: "every-second", cron: "* * * * * *", timezone: "UTC", spec: { workflow: "audit", batch: true }, nextRunAt: 0 }]);
    const reconciled = await Promise.all([a.scheduler.reconcile(), b.scheduler.reconcile()]);
    expect(reconciled.flatMap((result) => result.upserted).every((id) => id === "audit/77/acme/widgets/every-second")).toBe(true);
    expect(await b.scheduler.reconcile()).toEqual({ upserted: [], removed: [] });

    for (let wait = 0; fired.length < 3; wait++) {
      if (wait > 200) throw new Error(`only ${fired.length} firings arrived`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const occurrences = fired.map(({ firing }) => firing.at);
    expect(new Set(occurrences).size).toBe(occurrences.length);
    for (const { firing } of fired) {
      expect(firing.at % 1000).toBe(0);
      expect(firing.audit).toEqual({ name: "every-second", cron: "* * * * * *", timezone: "UTC", workflow: "audit", batch: true });
      expect(firing.schedule).toMatchObject({ ...repoKey, name: "every-second" });
    }
  });

  it("removes the job scheduler of a schedule the store no longer has", async () => {
    site = await sqliteSite();
    const { store, scheduler } = await startProcess(0, []);
    await store.schedules.upsertForRepo(repoKey, [
      { name: "weekly", cron: "@weekly", timezone: "Europe/Paris", spec: { workflow: "audit" }, nextRunAt: 0 },
      { name: "nightly", cron: "0 2 * * *", timezone: "UTC", spec: { workflow: "audit" }, nextRunAt: 0 },
    ]);
    expect((await scheduler.reconcile()).upserted.sort()).toEqual(["audit/77/acme/widgets/nightly", "audit/77/acme/widgets/weekly"]);
    const queue = new Queue(QUEUE, { connection: redisOptions(), prefix });
    opened.push(queue);
    expect(await queue.getJobScheduler("audit/77/acme/widgets/weekly")).toMatchObject({ pattern: "0 0 * * 0", tz: "Europe/Paris" });

    await store.schedules.upsertForRepo(repoKey, [{ name: "nightly", cron: "0 3 * * *", timezone: "UTC", spec: { workflow: "audit" }, nextRunAt: 0 }]);
    expect(await scheduler.reconcile()).toEqual({ upserted: ["audit/77/acme/widgets/nightly"], removed: ["audit/77/acme/widgets/weekly"] });
    expect((await queue.getJobSchedulers(0, -1, true)).map((entry) => [entry.key, entry.pattern])).toEqual([["audit/77/acme/widgets/nightly", "0 3 * * *"]]);
    // No job of the removed or re-timed schedulers is left waiting.
    const waiting = await queue.getDelayed();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.id).toMatch(/^repeat:audit\/77\/acme\/widgets\/nightly:\d+$/);
    expect(new Date(waiting[0]!.opts.prevMillis!).toISOString()).toMatch(/T03:00:00\.000Z$/);
  });
});
