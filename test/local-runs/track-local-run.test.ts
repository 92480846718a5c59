import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalRunBusyError } from "../../src/local-runs/errors.js";
import { newLocalRunRecord } from "../../src/local-runs/local-run-record.js";
import { trackLocalRun } from "../../src/local-runs/track-local-run.js";
import { openStore } from "../../src/store/open-store.js";
import type { RunRecord, Store } from "../../src/store/types.js";
import type { Timers } from "../../src/time.js";

/** Timers a test fires by hand. */
function manualTimers() {
  const pending: (() => void)[] = [];
  const timers: Timers = {
    setTimeout: (callback) => pending.push(callback),
    clearTimeout: () => {},
  };
  return { timers, fire: () => pending.splice(0).forEach((callback) => callback()) };
}

describe("tracking a local run", () => {
  let dir: string;
  let store: Store;
  let run: RunRecord;
  let now: number;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "dynflow-track-"));
    now = 1_000;
    store = await openStore({ sqlitePath: join(dir, "runs.db"), clock: { now: () => now } });
    run = await store.runs.create(newLocalRunRecord({ id: "r1", repoName: "shop", task: "t", script: null, args: undefined, baseCommit: "a".repeat(40), baseLabel: "main", settings: { limits: {}, review: {} } }));
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lets one process execute a run at a time, and gives the run back when closed", async () => {
    const first = await trackLocalRun({ store, run, secrets: [] });
    await expect(trackLocalRun({ store, run, secrets: [] })).rejects.toBeInstanceOf(LocalRunBusyError);
    await first.close();
    const second = await trackLocalRun({ store, run, secrets: [] });
    await second.close();
  });

  it("cancels its execution when another process took the run over after its lease lapsed", async () => {
    const { timers, fire } = manualTimers();
    const tracking = await trackLocalRun({ store, run, secrets: [], timers, leaseMs: 30 });
    const { signal } = tracking.workflowInput(() => {});
    now += 100;
    // The lease lapsed (this process stalled); another one takes the run.
    await store.leases.acquire("local-run:r1", "other", 60_000);
    fire();
    await new Promise((r) => setTimeout(r, 50));
    expect(signal?.aborted).toBe(true);
    expect(String((signal?.reason as Error).message)).toContain("another dynflow process took this run over");
    await tracking.close();
  });

  it("cancels its execution when the caller's signal aborts (the command's Ctrl-C)", async () => {
    const interrupt = new AbortController();
    const tracking = await trackLocalRun({ store, run, secrets: [], signal: interrupt.signal });
    const { signal } = tracking.workflowInput(() => {});
    expect(signal?.aborted).toBe(false);
    interrupt.abort(new Error("interrupted (Ctrl-C)"));
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as Error).message).toBe("interrupted (Ctrl-C)");
    await tracking.close();
  });

  it("cancels from a control request, stores events and records a failure", async () => {
    const { timers, fire } = manualTimers();
    const tracking = await trackLocalRun({ store, run, secrets: [], timers });
    const seen: string[] = [];
    const input = tracking.workflowInput((event) => seen.push(event.type));
    input.onEvent?.({ type: "phase", title: "Migrate", at: 5 });
    await store.controls.request("r1", { action: "cancel" });
    fire();
    await new Promise((r) => setTimeout(r, 50));
    expect(input.signal?.aborted).toBe(true);
    await tracking.fail({ code: "git_failed", message: "git refused the merge", costUsd: 0 });
    await tracking.close();
    expect(seen).toEqual(["phase"]);
    expect((await store.events.list("r1")).map((e) => e.event.type)).toEqual(["phase"]);
    expect(await store.runs.get("r1")).toMatchObject({ status: "error", error: { code: "git_failed", message: "git refused the merge" }, result: null });
  });
});
