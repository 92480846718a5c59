/**
 * Attack class: a damaged row. One run whose stored JSON no longer parses
 * (a partial write, a manual edit, a bug in an older version) made restart
 * recovery throw, so no other run came back either. Recovery now skips that
 * run with a log line naming it and queues every other one.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recoverRuns } from "../../src/app/steps/recover-runs.js";
import type { RunQueue } from "../../src/queue/runs/run-queue.js";
import { openStore, type Store } from "../../src/store/index.js";
import { removeDir, tempDir } from "../workspace/git-fixture.js";

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await tempDir("dynflow-corrupt-");
  store = await openStore({ sqlitePath: join(dir, "dynflow.db"), clock: { now: () => 1_700_000_000_000 }, log: pino({ level: "silent" }) });
});
afterEach(async () => {
  await store.close();
  await removeDir(dir);
});

describe("restart recovery", () => {
  it("skips a run whose row cannot be read, names it in the log, and recovers the others", async () => {
    for (const id of ["r-1", "r-2", "r-3"]) {
      await store.runs.create({ id, installationId: 1, owner: "acme", repo: "widgets", kind: "task", status: "queued", task: "t" });
    }
    const raw = new Database(join(dir, "dynflow.db"));
    raw.prepare("UPDATE runs SET plan = ?, limits = ? WHERE id = ?").run("{not json", "[", "r-2");
    raw.close();

    const jobs: { runId: string; step: string }[] = [];
    const queue = { enqueue: async (job: { runId: string; step: string }) => (jobs.push(job), true) } as unknown as RunQueue;
    const lines: { runId?: string; msg: string; level: number }[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });

    const queued = await recoverRuns({ store, queue, log, processId: "this-process" });
    expect(queued).toBe(2);
    expect(jobs.map((job) => job.runId)).toEqual(["r-1", "r-3"]);
    const skipped = lines.filter((line) => line.runId === "r-2");
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.level).toBe(50);
    expect(skipped[0]?.msg).toMatch(/could not be read/);
  });
});
