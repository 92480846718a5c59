/**
 * Runs as records in a real SQLite store: finding the run a command is
 * about, queuing unfinished runs again after a restart, and the lease that
 * keeps two processes off the same run.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findRun } from "../../../src/app/run-record/find-run.js";
import { createRunJobProcessor } from "../../../src/app/steps/process-run-job.js";
import { recoverRuns } from "../../../src/app/steps/recover-runs.js";
import { createInProcessRunQueue, type RunJob } from "../../../src/queue/runs/run-queue.js";
import type { AppRuntime } from "../../../src/app/services/types.js";
import { openStore, type NewRun, type Store } from "../../../src/store/index.js";
import pino from "pino";
import { removeDir, tempDir } from "../../workspace/git-fixture.js";

let dir: string;
let store: Store;
let now = 1_000;
const clock = { now: () => (now += 10) };
const log = pino({ level: "silent" });

beforeEach(async () => {
  dir = await tempDir("dynflow-app-records-");
  store = await openStore({ sqlitePath: join(dir, "dynflow.db"), clock });
});
afterEach(async () => {
  await store.close();
  await removeDir(dir);
});

const newRun = (id: string, extra: Partial<NewRun> = {}): NewRun => ({ id, installationId: 77, owner: "acme", repo: "widgets", kind: "task", status: "queued", issueNumber: 42, ...extra });

describe("findRun", () => {
  it("finds the run a command names, case-insensitively, but never one of another repository", async () => {
    await store.runs.create(newRun("r-abc"));
    await store.runs.create(newRun("r-other", { repo: "gadgets" }));
    expect(await findRun(store.runs, { owner: "acme", repo: "widgets", issueNumber: 42, runId: "R-ABC" })).toMatchObject({ found: true, run: { id: "r-abc" } });
    expect(await findRun(store.runs, { owner: "acme", repo: "widgets", issueNumber: 42, runId: "r-other" })).toEqual({
      found: false,
      message: "There is no dynflow run `r-other` in this repository.",
    });
  });

  it("finds the latest run of the issue when no id is given", async () => {
    await store.runs.create(newRun("r-first"));
    await store.runs.create(newRun("r-second"));
    await store.runs.create(newRun("r-elsewhere", { issueNumber: 7 }));
    expect(await findRun(store.runs, { owner: "acme", repo: "widgets", issueNumber: 42 })).toMatchObject({ found: true, run: { id: "r-second" } });
    expect((await findRun(store.runs, { owner: "acme", repo: "widgets", issueNumber: 8 })).found).toBe(false);
  });
});

describe("recoverRuns", () => {
  it("queues runs a restart interrupted: planning again without a plan, executing with one", async () => {
    await store.runs.create(newRun("r-new"));
    await store.runs.create(newRun("r-mid", { status: "running", script: "s", plan: { stopAfterPlan: false, source: "single-agent" } }));
    await store.runs.create(newRun("r-planning", { status: "running", plan: { stopAfterPlan: false } }));
    await store.runs.create(newRun("r-waiting", { status: "awaiting-approval", plan: { stopAfterPlan: false, source: "single-agent" } }));
    await store.runs.create(newRun("r-done", { status: "ok" }));
    const queue = createInProcessRunQueue({ maxConcurrent: 1 });
    expect(await recoverRuns({ store, queue, log, processId: "this-process" })).toBe(3);
    const jobs: RunJob[] = [];
    queue.start(async (job) => void jobs.push(job));
    await queue.onIdle();
    expect(jobs).toEqual([
      { runId: "r-new", step: "plan" },
      { runId: "r-mid", step: "execute" },
      { runId: "r-planning", step: "plan" },
    ]);
  });

  it("leaves a run alone while a live step holds its lease: its plan step may be executing it", async () => {
    await store.runs.create(newRun("r-executing", { status: "running", script: "s", plan: { stopAfterPlan: false, source: "single-agent" } }));
    await store.runs.create(newRun("r-orphan", { status: "running", script: "s", plan: { stopAfterPlan: false, source: "single-agent" } }));
    expect(await store.leases.acquire("run:r-executing", "worker-a:1:ab/cd", 60_000)).toBe(true);
    const queue = createInProcessRunQueue({ maxConcurrent: 1 });
    expect(await recoverRuns({ store, queue, log, processId: "this-process" })).toBe(1);
    const jobs: RunJob[] = [];
    queue.start(async (job) => void jobs.push(job));
    await queue.onIdle();
    expect(jobs).toEqual([{ runId: "r-orphan", step: "execute" }]);
  });
});

describe("createRunJobProcessor", () => {
  it("leaves a run whose lease another process holds alone", async () => {
    await store.runs.create(newRun("r-busy"));
    expect(await store.leases.acquire("run:r-busy", "other-process", 60_000)).toBe(true);
    const runtime = {
      store,
      log,
      processId: "this-process",
      github: () => {
        throw new Error("must not touch GitHub");
      },
    } as unknown as AppRuntime;
    // Said so, for a shared queue to try the step again once the other process's lease may have expired.
    expect(await createRunJobProcessor(runtime)({ runId: "r-busy", step: "plan" })).toBe("held-elsewhere");
    expect((await store.runs.get("r-busy"))?.status).toBe("queued");
    // The lease is still the other process's.
    expect(await store.leases.acquire("run:r-busy", "this-process", 60_000)).toBe(false);
  });

  it("refuses a second step of the same process while its first step holds the run", async () => {
    await store.runs.create(newRun("r-twice", { status: "running", script: "s", plan: { stopAfterPlan: false, source: "single-agent" } }));
    const runtime = {
      store,
      log,
      processId: "this-process",
      github: () => {
        throw new Error("must not touch GitHub");
      },
    } as unknown as AppRuntime;
    // The first step of this process (its plan step, executing the run) holds the lease.
    expect(await store.leases.acquire("run:r-twice", "this-process/0a0a0a", 60_000)).toBe(true);
    expect(await createRunJobProcessor(runtime)({ runId: "r-twice", step: "execute" })).toBe("held-elsewhere");
    expect(await store.leases.read("run:r-twice")).toMatchObject({ holder: "this-process/0a0a0a" });
  });
});
