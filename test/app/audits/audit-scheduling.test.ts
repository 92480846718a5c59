/**
 * The audit scheduler a process runs: the embedded one without `REDIS_URL`,
 * BullMQ job schedulers with it. With BullMQ, a schedule change the app makes
 * (an install, a config push, an uninstall) reaches Redis at once, not at the
 * next reconciliation. Needs a Redis server (`REDIS_URL`, default
 * 127.0.0.1:6379); without one the BullMQ tests are skipped, except in CI.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { createAuditScheduling, type AuditScheduling } from "../../../src/app/audits/audit-scheduling.js";
import type { Timers } from "../../../src/time.js";
import { useNock } from "../../github/octokit.js";
import { startHarness, type AppHarness } from "../app-harness.js";
import { REDIS_URL, redisAnswers } from "../../queue/redis-server.js";
import { AUDIT_CONFIG } from "../audit-model.js";

const stillTimers: Timers = { setTimeout: () => 0, clearTimeout: () => undefined };


const available = await redisAnswers();

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8")) as Record<string, unknown>;
}

describe("createAuditScheduling", () => {
  it("runs the embedded scheduler without REDIS_URL and BullMQ with it", () => {
    expect(createAuditScheduling().mode).toBe("embedded");
    expect(createAuditScheduling({ redisUrl: null }).mode).toBe("embedded");
    expect(createAuditScheduling({ redisUrl: REDIS_URL }).mode).toBe("queue");
  });

  it("does nothing before it is started", async () => {
    const scheduling = createAuditScheduling({ redisUrl: REDIS_URL });
    await expect(scheduling.changed()).resolves.toBeUndefined();
    await expect(scheduling.tick()).resolves.toBe(0);
    await expect(scheduling.stop()).resolves.toBeUndefined();
  });
});

describe("audit schedules mirrored into BullMQ", () => {
  if (!available && !process.env.CI) {
    const reason = `needs a Redis server: none answers at ${new URL(REDIS_URL).host}; start one or set REDIS_URL`;
    console.warn(`BullMQ audit scheduling tests skipped: ${reason}`);
    it.skip(reason, () => {});
    return;
  }

  useNock();
  const prefix = `dynflow-test-${randomBytes(4).toString("hex")}`;
  let app: AppHarness | undefined;
  let scheduling: AuditScheduling | undefined;
  let queue: Queue | undefined;
  afterEach(async () => {
    await scheduling?.stop();
    await app?.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
  });

  it("creates, re-times and removes job schedulers as the app changes the stored schedules", { timeout: 30_000 }, async () => {
    // Still timers: no reconciliation happens on its own, so every change seen here was passed on by the app.
    scheduling = createAuditScheduling({ redisUrl: REDIS_URL, prefix, timers: stillTimers });
    expect(scheduling.mode).toBe("queue");
    app = await startHarness({ config: AUDIT_CONFIG, app: { audits: scheduling } });
    queue = new Queue("dynflow-audits", { connection: { url: REDIS_URL }, prefix });
    const mirrored = async () =>
      (await queue!.getJobSchedulers(0, -1, true)).map((entry) => [entry.key, entry.pattern, entry.tz]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const deliver = (name: string, event: string, id: string) => app!.probot.receive({ id, name: event, payload: fixture(name) } as never);

    await deliver("installation.created", "installation", "delivery-install");
    expect(await mirrored()).toEqual([
      ["audit/77/acme/widgets/cheap", "0 3 * * SUN", "UTC"],
      ["audit/77/acme/widgets/nightly", "0 9 * * *", "UTC"],
    ]);

    await app.commitFile(".github/dynflow.yml", `audits:\n  - name: nightly\n    cron: "@weekly"\n    timezone: Europe/Paris\n`);
    await deliver("push.config-changed", "push", "delivery-push");
    expect(await mirrored()).toEqual([["audit/77/acme/widgets/nightly", "0 0 * * 0", "Europe/Paris"]]);

    await deliver("installation.deleted", "installation", "delivery-deleted");
    expect(await mirrored()).toEqual([]);
  });
});
