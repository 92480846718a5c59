import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { headShaOf, onCiCompleted } from "../../../src/app/ci/handle-check-events.js";
import { sweepCiWaits } from "../../../src/app/ci/sweep-ci-waits.js";
import { recordingQueue } from "../recording-queue.js";
import { openStore, type Store } from "../../../src/store/index.js";
import { removeDir, tempDir } from "../../workspace/git-fixture.js";
import { waitingCiWait } from "./ci-wait-fixture.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const log = pino({ level: "silent" });

const wait = (runId: string, headSha: string, deadline: number) => waitingCiWait(runId, { headSha, deadline, prNumber: 1, prNodeId: "PR_1", settings: {} });

const event = (name: "check_suite" | "check_run" | "workflow_run", headSha: unknown, repo = "widgets") => ({ action: "completed", [name]: { head_sha: headSha }, repository: { name: repo, owner: { login: "acme" } } });

describe("CI webhooks and the deadline sweep", () => {
  let dir: string;
  let store: Store;
  let now = 1_000;
  beforeEach(async () => {
    dir = await tempDir("dynflow-ci-events-");
    store = await openStore({ sqlitePath: join(dir, "db.sqlite"), clock: { now: () => now } });
    await store.ciWaits.put(wait("r-1", A, 5_000));
    await store.ciWaits.put(wait("r-2", B, 9_000));
  });
  afterEach(async () => {
    await store.close();
    await removeDir(dir);
  });

  it("reads the head commit from each of the three check events and a settled status, and nothing else", () => {
    expect(headShaOf(event("check_suite", A))).toBe(A);
    expect(headShaOf(event("check_run", A))).toBe(A);
    expect(headShaOf(event("workflow_run", A))).toBe(A);
    expect(headShaOf(event("check_suite", "main"))).toBeNull();
    // A commit status: once it has settled, not while it is pending.
    const status = (state: string) => ({ sha: A, state, context: "ci/jenkins", repository: { name: "widgets", owner: { login: "acme" } } });
    expect(headShaOf(status("success"))).toBe(A);
    expect(headShaOf(status("error"))).toBe(A);
    expect(headShaOf(status("pending"))).toBeNull();
    expect(headShaOf({})).toBeNull();
  });

  it("signals the waits on the event's commit in that repository and queues their CI step", async () => {
    const queue = recordingQueue();
    expect(await onCiCompleted(event("check_suite", A), { store, queue, log })).toEqual(["r-1"]);
    expect(await onCiCompleted(event("check_suite", A, "other"), { store, queue, log })).toEqual([]);
    expect(queue.jobs).toEqual([{ runId: "r-1", step: "ci" }]);
    expect((await store.ciWaits.get("r-1"))!.signals).toBe(1);
    // A settled wait is not woken again.
    await store.ciWaits.update("r-1", { state: "passed" }, { state: "waiting" });
    expect(await onCiCompleted(event("workflow_run", A), { store, queue: recordingQueue(), log })).toEqual([]);
  });

  it("queues every wait at start, then only those past their deadline", async () => {
    expect(await sweepCiWaits({ store, queue: recordingQueue() })).toBe(2);
    const queue = recordingQueue();
    now = 6_000;
    expect(await sweepCiWaits({ store, queue }, now)).toBe(1);
    expect(queue.jobs).toEqual([{ runId: "r-1", step: "ci" }]);
  });
});
