/**
 * Audit schedules through the app: installing it schedules each repository's
 * audits, a push that changes `.github/dynflow.yml` re-syncs them, removing
 * the app or the repository drops them, and a due occurrence, fired by the
 * embedded scheduler on a fake clock, becomes exactly one audit run that
 * reports to the audit's issue.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { scheduledRunId, type ScheduledFiring } from "../../src/audit/index.js";
import type { Timers } from "../../src/time.js";
import { createAuditScheduling, type AuditScheduling } from "../../src/app/audits/audit-scheduling.js";
import { createScheduledAuditFire } from "../../src/app/audits/fire-scheduled-audit.js";
import type { AppRuntime } from "../../src/app/services/types.js";
import { useNock } from "../github/octokit.js";
import { startHarness, type AppHarness } from "./app-harness.js";
import { AUDIT_CONFIG, auditModel } from "./audit-model.js";

const E2E = { timeout: 90_000 };
const REPO = { installationId: 77, owner: "acme", repo: "widgets" };
/** The harness's clock starts on Tuesday 2026-11-24 at 10:15 UTC. */
const NIGHTLY_DUE = Date.UTC(2026, 10, 25, 9, 0);

/** Timers that never fire: the test ticks the scheduler itself. */
const stillTimers: Timers = { setTimeout: () => 0, clearTimeout: () => undefined };

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8")) as Record<string, unknown>;
}

describe("audit schedules (end to end)", () => {
  useNock();
  let app: AppHarness | undefined;
  let scheduling: AuditScheduling | undefined;
  afterEach(async () => {
    await scheduling?.stop();
    await app?.close();
    app = undefined;
    scheduling = undefined;
  });

  /** The app with an embedded scheduler on `now`, and the runtime it was started with. */
  async function start(now: () => number, config = AUDIT_CONFIG) {
    let runtime: AppRuntime | undefined;
    const inner = createAuditScheduling({ clock: { now }, timers: stillTimers });
    scheduling = {
      ...inner,
      start(started) {
        runtime = started;
        inner.start(started);
      },
    };
    app = await startHarness({ config, app: { audits: scheduling } });
    const schedules = () => app!.services.store.schedules.listForRepo(REPO);
    const deliver = (name: string, event: string, id: string) => app!.probot.receive({ id, name: event, payload: fixture(name) } as never);
    return { app, runtime: runtime!, schedules, deliver };
  }

  it("fires a due occurrence once, however often the scheduler ticks or the firing is delivered, and the run reports to the audit issue", E2E, async () => {
    let now = NIGHTLY_DUE - 60_000;
    const { app, runtime, schedules, deliver } = await start(() => now);
    const model = auditModel();
    app.api.handle(model.handler);
    model.findings = { "src/search": [{ title: "Search query not encoded", path: "src/search/index.ts", line: 2, severity: "medium", evidence: '"/search?q=" + q' }] };

    await deliver("installation.created", "installation", "delivery-install");
    const nightly = (await schedules()).find((schedule) => schedule.name === "nightly");
    expect(nightly?.nextRunAt).toBe(NIGHTLY_DUE);

    // Not due yet: nothing fires.
    expect(await scheduling!.tick()).toBe(0);
    now = NIGHTLY_DUE + 30_000;
    expect(await scheduling!.tick()).toBe(1);
    expect(await scheduling!.tick()).toBe(0);
    await app.idle();

    const id = scheduledRunId({ schedule: { ...REPO, name: "nightly", cron: "0 9 * * *", timezone: "UTC", spec: {}, nextRunAt: NIGHTLY_DUE, lastRunAt: null }, at: NIGHTLY_DUE });
    const runs = await app.services.store.runs.listByStatus(["queued", "running", "ok", "error", "capped", "budget-exhausted", "cancelled"]);
    expect(runs.map((run) => run.id)).toEqual([id]);
    expect(runs[0]).toMatchObject({ kind: "audit", workflow: "nightly", status: "ok", issueNumber: null, commandCommentId: null, requester: null, baseRef: "main" });
    expect((await schedules()).find((schedule) => schedule.name === "nightly")).toMatchObject({ lastRunAt: NIGHTLY_DUE, nextRunAt: Date.UTC(2026, 10, 26, 9, 0) });

    // The same occurrence delivered again (a queue retry) finds its run and starts nothing.
    const firing: ScheduledFiring = { schedule: nightly!, at: NIGHTLY_DUE, audit: { name: "nightly", cron: "0 9 * * *", workflow: "audit", args: { problem: "URLs" } } };
    await createScheduledAuditFire(runtime)(firing);
    await app.idle();
    expect(await app.services.store.runs.listByStatus(["queued", "running", "ok"])).toHaveLength(1);

    // No conversation to write in: the run reports to its issue, and shows on the audited commit's check run.
    expect(app.github.issues).toHaveLength(1);
    expect(app.github.issues[0]).toMatchObject({ number: 200, state: "open", title: "dynflow audit nightly: 1 finding (1 new)" });
    expect(app.github.comments).toEqual([]);
    expect(app.github.checkRuns).toMatchObject([{ external_id: id, head_sha: runs[0]!.baseSha, status: "completed", conclusion: "success" }]);
  });

  it("re-syncs the schedules when a push changes .github/dynflow.yml on the default branch, and only then", E2E, async () => {
    const { app, schedules, deliver } = await start(() => NIGHTLY_DUE - 60_000);
    await deliver("installation.created", "installation", "delivery-install");
    expect((await schedules()).map((schedule) => [schedule.name, schedule.cron])).toEqual([
      ["cheap", "0 3 * * SUN"],
      ["nightly", "0 9 * * *"],
    ]);

    await app.commitFile(".github/dynflow.yml", `audits:\n  - name: nightly\n    cron: "30 6 * * *"\n    timezone: Europe/Paris\n  - name: weekly\n    cron: "@weekly"\n    workflow: audit\n    args: secrets in code\n`);
    // A push that does not touch the config changes nothing, and does not even read it.
    const reads = () => app.github.callsTo("GET", /\/contents\/\.github%2Fdynflow\.yml/).length;
    const before = reads();
    await deliver("push.other-files", "push", "delivery-push-1");
    expect(reads()).toBe(before);
    expect((await schedules()).map((schedule) => schedule.name)).toEqual(["cheap", "nightly"]);

    await deliver("push.config-changed", "push", "delivery-push-2");
    expect((await schedules()).map((schedule) => [schedule.name, schedule.cron, schedule.timezone])).toEqual([
      ["nightly", "30 6 * * *", "Europe/Paris"],
      ["weekly", "@weekly", "UTC"],
    ]);
    expect((await schedules()).find((schedule) => schedule.name === "weekly")?.spec).toEqual({ workflow: "audit", args: "secrets in code" });

    // An invalid config leaves the schedules as the last good one made them.
    await app.commitFile(".github/dynflow.yml", `audits:\n  - name: nightly\n    cron: "every morning"\n`);
    await deliver("push.config-changed", "push", "delivery-push-3");
    expect((await schedules()).map((schedule) => schedule.name)).toEqual(["nightly", "weekly"]);
  });

  it("drops a repository's schedules when it leaves the installation and every schedule when the app is uninstalled", E2E, async () => {
    const { schedules, deliver } = await start(() => NIGHTLY_DUE - 60_000);
    await deliver("installation.created", "installation", "delivery-install");
    expect(await schedules()).toHaveLength(2);

    await deliver("installation_repositories.removed", "installation_repositories", "delivery-removed");
    expect(await schedules()).toEqual([]);
    await deliver("installation_repositories.added", "installation_repositories", "delivery-added");
    expect(await schedules()).toHaveLength(2);

    await deliver("installation.deleted", "installation", "delivery-deleted");
    expect(await schedules()).toEqual([]);
    // Unsuspending lists the repositories from GitHub (the payload does not) and schedules them again.
    await deliver("installation.unsuspend", "installation", "delivery-unsuspend");
    expect((await schedules()).map((schedule) => schedule.name)).toEqual(["cheap", "nightly"]);
  });
});
