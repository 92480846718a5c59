import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { onPullRequestClosed } from "../../../src/app/closed/handle-pull-request-closed.js";
import { processClosedStep } from "../../../src/app/closed/process-closed-step.js";
import type { AppRuntime } from "../../../src/app/services/types.js";
import { checkPayload, InvalidPayloadError } from "../../../src/app/webhook-payload.js";
import { runLeaseName } from "../../../src/app/steps/run-lease.js";
import { recordingQueue } from "../recording-queue.js";
import { openStore, type Store } from "../../../src/store/index.js";
import { removeDir, tempDir } from "../../workspace/git-fixture.js";
import { waitingCiWait } from "../ci/ci-wait-fixture.js";

const log = pino({ level: "silent" });

const closed = (head: string, options: { number?: number; headRepoId?: number | null; installation?: number; repo?: string } = {}) => ({
  action: "closed",
  pull_request: { number: options.number ?? 12, merged: false, head: { ref: head, repo: options.headRepoId === null ? null : { id: options.headRepoId ?? 5 } } },
  repository: { id: 5, name: options.repo ?? "widgets", owner: { login: "Acme" } },
  installation: { id: options.installation ?? 1 },
});

describe("pull_request.closed", () => {
  let dir: string;
  let store: Store;
  let queue: ReturnType<typeof recordingQueue>;
  beforeEach(async () => {
    dir = await tempDir("dynflow-pr-closed-");
    store = await openStore({ sqlitePath: join(dir, "db.sqlite"), clock: { now: () => 1_000 } });
    queue = recordingQueue();
    await store.runs.create({ id: "r-1", installationId: 1, owner: "acme", repo: "widgets", kind: "task", status: "ok", prNumber: 12 });
    await store.ciWaits.put(waitingCiWait("r-1"));
  });
  afterEach(async () => {
    await store.close();
    await removeDir(dir);
  });

  it("ends the run's CI wait at once, even while a step holds the run (a repair round), records the cleanup and queues the closed step", async () => {
    expect(await store.leases.acquire(runLeaseName("r-1"), "another-process/ci", 60_000)).toBe(true);
    expect(await onPullRequestClosed(closed("dynflow/r-1"), { store, queue, log })).toBe("r-1");
    expect(await store.ciWaits.get("r-1")).toMatchObject({ state: "cancelled", history: [{ round: 0, outcome: "cancelled", note: "the pull request was closed." }] });
    expect(await store.branchCleanups.pending("r-1")).toEqual({ runId: "r-1", requests: 1 });
    expect(queue.jobs).toEqual([{ runId: "r-1", step: "closed" }]);
    // Redelivered: the wait stays as it ended, the step is queued once.
    expect(await onPullRequestClosed(closed("dynflow/r-1"), { store, queue, log })).toBe("r-1");
    expect((await store.ciWaits.get("r-1"))!.history).toHaveLength(1);
    expect(queue.jobs).toHaveLength(1);
  });

  it("ignores a pull request that is not the run's own", async () => {
    for (const payload of [
      closed("dynflow/r-1", { headRepoId: 6 }),
      closed("dynflow/r-1", { headRepoId: null }),
      closed("feature/x"),
      closed("dynflow/r-1-work/calc-1a2b"),
      closed("dynflow/r-2"),
      closed("dynflow/r-1", { number: 13 }),
      closed("dynflow/r-1", { installation: 2 }),
      closed("dynflow/r-1", { repo: "gadgets" }),
    ]) {
      expect(await onPullRequestClosed(payload, { store, queue, log })).toBeNull();
    }
    expect(queue.jobs).toEqual([]);
    expect(await store.branchCleanups.listPending()).toEqual([]);
    expect((await store.ciWaits.get("r-1"))!.state).toBe("waiting");
  });

  it("has its payload checked for the fields it reads: a 400 without them", () => {
    const check = (payload: unknown) => () => checkPayload({ id: "d-1", name: "pull_request", payload, log }, "pull_request.closed");
    const { pull_request: _pull, ...payload } = closed("dynflow/r-1");
    expect(check(payload)).toThrow(InvalidPayloadError);
    expect(check({ ...closed("dynflow/r-1"), installation: undefined })).toThrow(expect.objectContaining({ status: 400 }));
    expect(check(closed("dynflow/r-1", { headRepoId: null }))).not.toThrow();
  });

  it("gives a cleanup up when GitHub says the installation or repository is gone, and keeps it when GitHub only failed", async () => {
    await onPullRequestClosed(closed("dynflow/r-1"), { store, queue, log });
    const failing = (status: number) =>
      ({ log, store, clock: { now: () => 2_000 }, github: async () => Promise.reject(Object.assign(new Error(`GitHub answered ${status}`), { status })) }) as unknown as AppRuntime;
    await processClosedStep("r-1", failing(502));
    expect(await store.branchCleanups.pending("r-1")).toEqual({ runId: "r-1", requests: 1 });
    await processClosedStep("r-1", failing(404));
    expect(await store.branchCleanups.pending("r-1")).toBeUndefined();
    expect(await store.branchCleanups.listPending()).toEqual([]);
  });
});
