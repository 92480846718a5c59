/**
 * The behaviour every store engine must have. Each engine's test file calls
 * `defineStoreContract` with a factory of fresh, empty locations (a temp file,
 * a new schema); `open` may be called several times per location, and each
 * call is a separate connection, the way two processes would share it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryJournal } from "../../src/runtime/journal/memory-journal.js";
import type { ChangeRef, Clock, JournalEntry, JsonValue, RunEvent } from "../../src/runtime/types.js";
import { DuplicateRunError, RunNotFoundError, StaleRunError, StoreArgumentError } from "../../src/store/errors.js";
import type { NewRun, RepoKey, ScheduleInput, Store, StoreEngine, TranscriptEntryInput } from "../../src/store/types.js";

/** One fresh, empty place to keep a store. */
export interface StoreTarget {
  /** A new connection to this target's data. */
  open(options: { clock: Clock }): Promise<Store>;
  /** Removes the target's data. */
  dispose(): Promise<void>;
}

/** A clock the test moves by hand. */
export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(start: number): ManualClock {
  let now = start;
  return {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

const T0 = 1_700_000_000_000;

export function newRun(id: string, extra: Partial<NewRun> = {}): NewRun {
  return { id, installationId: 42, owner: "acme", repo: "widgets", kind: "task", status: "planned", ...extra };
}

const CHANGE: ChangeRef = {
  branch: "dynflow/r-1/fix-a",
  commit: "0123456789abcdef0123456789abcdef01234567",
  base: "fedcba9876543210fedcba9876543210fedcba98",
  files: [{ path: "src/a.ts", status: "modified", additions: 3, deletions: 1 }],
  additions: 3,
  deletions: 1,
  incomplete: false,
};

export function journalEntry(key: string, output: JournalEntry["output"], extra: Partial<JournalEntry> = {}): JournalEntry {
  return {
    key,
    label: `agent ${key}`,
    output,
    change: null,
    usage: { input: 1200, output: 340, cacheWrite: 50, cacheRead: 7 },
    costUsd: 0.012345,
    meta: { turns: 3, model: "claude-x" },
    ...extra,
  };
}

const phase = (title: string, at: number): RunEvent => ({ type: "phase", title, at });

export function defineStoreContract(engine: StoreEngine, newTarget: () => Promise<StoreTarget>): void {
  describe(`store contract (${engine})`, () => {
    let target: StoreTarget;
    let clock: ManualClock;
    const opened = new Set<Store>();

    async function open(withClock: Clock = clock): Promise<Store> {
      const store = await target.open({ clock: withClock });
      opened.add(store);
      return store;
    }

    async function close(store: Store): Promise<void> {
      opened.delete(store);
      await store.close();
    }

    beforeEach(async () => {
      clock = manualClock(T0);
      target = await newTarget();
    });

    afterEach(async () => {
      for (const store of [...opened]) await close(store);
      await target.dispose();
    });

    describe("opening", () => {
      it("reports its engine", async () => {
        expect((await open()).engine).toBe(engine);
      });

      it("answers a ping while open, and not once closed", async () => {
        const store = await open();
        await expect(store.ping()).resolves.toBeUndefined();
        await close(store);
        await expect(store.ping()).rejects.toThrow();
      });

      it("migrates once: reopening keeps the data and changes nothing", async () => {
        const first = await open();
        await first.runs.create(newRun("r-1"));
        await first.journal("r-1").put(journalEntry("k", "done"));
        await close(first);

        const second = await open();
        expect((await second.runs.get("r-1"))?.id).toBe("r-1");
        expect((await second.journal("r-1").get("k"))?.output).toBe("done");
        await close(second);
        expect((await (await open()).runs.get("r-1"))?.version).toBe(1);
      });
    });

    describe("runs", () => {
      it("creates a run at version 1 with its times from the clock and unset fields null", async () => {
        const store = await open();
        const created = await store.runs.create(newRun("r-1", { commandCommentId: 3_000_000_001, requester: "octocat", task: "fix it" }));
        expect(created).toEqual({
          id: "r-1",
          installationId: 42,
          owner: "acme",
          repo: "widgets",
          issueNumber: null,
          commandCommentId: 3_000_000_001,
          requester: "octocat",
          kind: "task",
          task: "fix it",
          workflow: null,
          args: {},
          baseRef: null,
          baseSha: null,
          status: "planned",
          script: null,
          plan: null,
          limits: null,
          statusCommentId: null,
          checkRunId: null,
          prNumber: null,
          result: null,
          error: null,
          createdAt: T0,
          updatedAt: T0,
          version: 1,
        });
        expect(await store.runs.get("r-1")).toEqual(created);
        expect(await store.runs.get("r-unknown")).toBeUndefined();
      });

      it("round-trips every field, large GitHub ids and JSON included", async () => {
        const store = await open();
        const full: NewRun = newRun("r-full", {
          installationId: 98_765_432_101,
          issueNumber: 17,
          commandCommentId: 2_876_543_210_987,
          requester: "octocat",
          kind: "workflow",
          task: "migrate the callers",
          workflow: "migrate-callers",
          args: { modules: ["a", "b"], depth: 2, strict: true, note: "ünïcødé ✓" },
          baseRef: "main",
          baseSha: CHANGE.base,
          status: "awaiting-approval",
          script: "export const meta = { name: 'x', description: 'y' };\nawait agent('hi');\n",
          plan: { kind: "script", reason: "many modules", estimate: { agents: 12, usd: 1.5 } },
          limits: { maxConcurrency: 8, budgetUsd: null },
          statusCommentId: 3_100_000_000,
          checkRunId: 25_000_000_000,
          prNumber: 9,
          result: { converged: 3, unverified: [] },
          error: { code: "script_error", message: "boom", line: 4, file: "main.js" },
        });
        const created = await store.runs.create(full);
        const { createdAt: _c, updatedAt: _u, version: _v, ...stored } = created;
        expect(stored).toEqual({ ...full });
        expect(await store.runs.get("r-full")).toEqual(created);
      });

      it("refuses a second run with the same id or the same command comment", async () => {
        const store = await open();
        await store.runs.create(newRun("r-1", { commandCommentId: 555 }));
        const sameId = await store.runs.create(newRun("r-1")).catch((error: unknown) => error);
        expect(sameId).toBeInstanceOf(DuplicateRunError);
        expect(sameId).toMatchObject({ code: "duplicate_run", runId: "r-1", existingRunId: "r-1" });
        const sameComment = await store.runs.create(newRun("r-2", { commandCommentId: 555 })).catch((error: unknown) => error);
        expect(sameComment).toMatchObject({ code: "duplicate_run", runId: "r-2", existingRunId: "r-1", commandCommentId: 555 });
        expect(await store.runs.get("r-2")).toBeUndefined();
        // Runs started without a comment (schedules) do not collide on the missing id.
        await store.runs.create(newRun("r-3", { kind: "audit" }));
        await store.runs.create(newRun("r-4", { kind: "audit" }));
        expect(await store.runs.listByStatus(["planned"])).toHaveLength(3);
      });

      it("applies a patch: undefined leaves a field, null clears it, the version and update time move", async () => {
        const store = await open();
        await store.runs.create(newRun("r-1", { task: "t", script: "s", plan: { kind: "single" }, prNumber: 3 }));
        clock.set(T0 + 500);
        const updated = await store.runs.update("r-1", { status: "running", script: undefined, plan: null, result: { ok: true }, checkRunId: 77 });
        expect(updated).toMatchObject({
          status: "running",
          task: "t",
          script: "s",
          plan: null,
          result: { ok: true },
          checkRunId: 77,
          prNumber: 3,
          createdAt: T0,
          updatedAt: T0 + 500,
          version: 2,
        });
        expect(await store.runs.get("r-1")).toEqual(updated);
        expect((await store.runs.update("r-1", {})).version).toBe(3);
      });

      it("updates only at the expected version and reports the version it found otherwise", async () => {
        const store = await open();
        await store.runs.create(newRun("r-1"));
        expect((await store.runs.update("r-1", { status: "queued" }, { expectVersion: 1 })).version).toBe(2);
        const stale = await store.runs.update("r-1", { status: "cancelled" }, { expectVersion: 1 }).catch((error: unknown) => error);
        expect(stale).toBeInstanceOf(StaleRunError);
        expect(stale).toMatchObject({ code: "stale_run", runId: "r-1", expectedVersion: 1, actualVersion: 2 });
        expect((await store.runs.get("r-1"))?.status).toBe("queued");
      });

      it("lets exactly one of two processes win an update from the same version", async () => {
        const a = await open();
        const b = await open();
        await a.runs.create(newRun("r-1"));
        const results = await Promise.allSettled([
          a.runs.update("r-1", { status: "running" }, { expectVersion: 1 }),
          b.runs.update("r-1", { status: "cancelled" }, { expectVersion: 1 }),
        ]);
        const won = results.filter((result) => result.status === "fulfilled");
        const lost = results.filter((result) => result.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(StaleRunError);
        const final = await a.runs.get("r-1");
        expect(final?.version).toBe(2);
        expect(final?.status).toBe((won[0] as PromiseFulfilledResult<{ status: string }>).value.status);
      });

      it("throws RunNotFoundError when updating a run that does not exist", async () => {
        const store = await open();
        await expect(store.runs.update("r-missing", { status: "running" })).rejects.toBeInstanceOf(RunNotFoundError);
        await expect(store.runs.update("r-missing", {}, { expectVersion: 1 })).rejects.toMatchObject({ code: "run_not_found", runId: "r-missing" });
      });

      it("finds the latest run of an issue, only in that repository", async () => {
        const store = await open();
        expect(await store.runs.latestForIssue({ owner: "acme", repo: "widgets", issueNumber: 5 })).toBeUndefined();
        await store.runs.create(newRun("r-old", { issueNumber: 5 }));
        clock.advance(10);
        await store.runs.create(newRun("r-new", { issueNumber: 5 }));
        clock.advance(10);
        await store.runs.create(newRun("r-other-issue", { issueNumber: 6 }));
        await store.runs.create(newRun("r-other-repo", { issueNumber: 5, repo: "gadgets" }));
        await store.runs.create(newRun("r-other-owner", { issueNumber: 5, owner: "umbrella" }));
        expect((await store.runs.latestForIssue({ owner: "acme", repo: "widgets", issueNumber: 5 }))?.id).toBe("r-new");
        expect((await store.runs.latestForIssue({ owner: "acme", repo: "gadgets", issueNumber: 5 }))?.id).toBe("r-other-repo");
        expect(await store.runs.latestForIssue({ owner: "acme", repo: "widgets", issueNumber: 7 })).toBeUndefined();
      });

      it("lists runs by status, oldest first", async () => {
        const store = await open();
        await store.runs.create(newRun("r-a", { status: "queued" }));
        clock.advance(1);
        await store.runs.create(newRun("r-b", { status: "running" }));
        clock.advance(1);
        await store.runs.create(newRun("r-c", { status: "queued" }));
        await store.runs.create(newRun("r-d", { status: "ok" }));
        expect((await store.runs.listByStatus(["queued"])).map((run) => run.id)).toEqual(["r-a", "r-c"]);
        expect((await store.runs.listByStatus(["running", "queued"])).map((run) => run.id)).toEqual(["r-a", "r-b", "r-c"]);
        expect(await store.runs.listByStatus(["cancelled"])).toEqual([]);
        expect(await store.runs.listByStatus([])).toEqual([]);
        expect(await store.runs.listIdsByStatus(["running", "queued"])).toEqual(["r-a", "r-b", "r-c"]);
        expect(await store.runs.listIdsByStatus([])).toEqual([]);
      });

      it("finds a run by the comment that started it", async () => {
        const store = await open();
        await store.runs.create(newRun("r-1", { commandCommentId: 4_000_000_123 }));
        await store.runs.create(newRun("r-2", { commandCommentId: 4_000_000_124 }));
        expect((await store.runs.findByCommandComment(4_000_000_124))?.id).toBe("r-2");
        expect(await store.runs.findByCommandComment(1)).toBeUndefined();
      });
    });

    describe("journal", () => {
      it("returns what was put, and nothing for an unknown key", async () => {
        const store = await open();
        const journal = store.journal("r-1");
        const entry = journalEntry("k1", { files: ["a.ts"], verdict: "upheld" }, { change: CHANGE });
        await journal.put(entry);
        expect(await journal.get("k1")).toEqual(entry);
        expect(await journal.get("k2")).toBeUndefined();
      });

      it("keeps the first entry when a key is put twice, so a result is never counted twice", async () => {
        const store = await open();
        const journal = store.journal("r-1");
        await journal.put(journalEntry("k", "first", { costUsd: 1 }));
        await journal.put(journalEntry("k", "second", { costUsd: 2 }));
        expect(await journal.get("k")).toEqual(journalEntry("k", "first", { costUsd: 1 }));
        expect(await store.journalEntries("r-1")).toHaveLength(1);
      });

      it("keeps exactly one entry when two processes journal the same agent at once", async () => {
        const a = await open();
        const b = await open();
        const first = journalEntry("k", "from a");
        const second = journalEntry("k", "from b");
        await Promise.all([a.journal("r-1").put(first), b.journal("r-1").put(second)]);
        const entries = await a.journalEntries("r-1");
        expect(entries).toHaveLength(1);
        expect([first, second]).toContainEqual(entries[0]);
        expect(await b.journal("r-1").get("k")).toEqual(entries[0]);
      });

      it("keeps each run's journal apart", async () => {
        const store = await open();
        await store.journal("r-1").put(journalEntry("k", "one"));
        await store.journal("r-2").put(journalEntry("k", "two"));
        expect((await store.journal("r-1").get("k"))?.output).toBe("one");
        expect((await store.journal("r-2").get("k"))?.output).toBe("two");
        expect(await store.journalEntries("r-3")).toEqual([]);
      });

      it("lists a run's entries in the order journaled", async () => {
        const store = await open();
        const journal = store.journal("r-1");
        for (const key of ["c", "a", "b"]) await journal.put(journalEntry(key, key));
        await journal.put(journalEntry("a", "again"));
        expect((await store.journalEntries("r-1")).map((entry) => [entry.key, entry.output])).toEqual([
          ["c", "c"],
          ["a", "a"],
          ["b", "b"],
        ]);
      });

      it("round-trips like MemoryJournal for every kind of JSON value and change", async () => {
        const store = await open();
        const sql = store.journal("r-1");
        const memory = new MemoryJournal();
        const entries = [
          journalEntry("text", "plain text with \"quotes\", newlines\nand ünïcødé 🚀"),
          journalEntry("empty-string", ""),
          journalEntry("null", null),
          journalEntry("false", false),
          journalEntry("zero", 0),
          journalEntry("float", -12.375e-3),
          journalEntry("big", Number.MAX_SAFE_INTEGER),
          journalEntry("array", [1, "two", null, [true, { three: 3 }]]),
          journalEntry("object", { nested: { deep: { list: [], empty: {} } }, "key with spaces": "v", __proto__x: 1 }),
          journalEntry("with-change", { summary: "done" }, { change: CHANGE, meta: {}, costUsd: 0 }),
          journalEntry("fractional-cost", "x", { costUsd: 0.1 + 0.2, usage: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 } }),
        ];
        for (const entry of entries) {
          await sql.put(entry);
          await memory.put(entry);
        }
        for (const entry of entries) {
          const fromSql = await sql.get(entry.key);
          expect(fromSql).toEqual(await memory.get(entry.key));
          expect(fromSql).toEqual(entry);
        }
        expect(await sql.get("missing")).toEqual(await memory.get("missing"));
        expect((await store.journalEntries("r-1")).map((entry) => entry.key)).toEqual(memory.entries().map((entry) => entry.key));
      });
    });

    describe("events", () => {
      it("numbers a run's events from 1 in append order and lists them after a given number", async () => {
        const store = await open();
        const events = [phase("Plan", 1), phase("Work", 2), { type: "log", level: "info", message: "hi", at: 3 } as RunEvent];
        const seqs: number[] = [];
        for (const event of events) seqs.push(await store.events.append("r-1", event));
        expect(seqs).toEqual([1, 2, 3]);
        expect(await store.events.list("r-1")).toEqual(events.map((event, index) => ({ seq: index + 1, event, createdAt: T0 })));
        expect((await store.events.list("r-1", { afterSeq: 1 })).map((stored) => stored.seq)).toEqual([2, 3]);
        expect((await store.events.list("r-1", { afterSeq: 1, limit: 1 })).map((stored) => stored.event)).toEqual([events[1]]);
        expect(await store.events.list("r-1", { afterSeq: 3 })).toEqual([]);
      });

      it("numbers each run separately", async () => {
        const store = await open();
        expect(await store.events.append("r-1", phase("a", 1))).toBe(1);
        expect(await store.events.append("r-2", phase("b", 1))).toBe(1);
        expect(await store.events.append("r-1", phase("c", 2))).toBe(2);
        expect((await store.events.list("r-2")).map((stored) => stored.event)).toEqual([phase("b", 1)]);
      });

      it("appends a batch in order with consecutive numbers after what is there, and nothing for an empty one", async () => {
        const store = await open();
        expect(await store.events.append("r-1", phase("a", 1))).toBe(1);
        expect(await store.events.appendAll("r-1", [phase("b", 2), phase("c", 3), phase("d", 4)])).toBe(4);
        expect(await store.events.appendAll("r-1", [])).toBe(0);
        expect(await store.events.appendAll("r-1", [phase("e", 5)])).toBe(5);
        expect((await store.events.list("r-1")).map((stored) => [stored.seq, stored.event])).toEqual(
          ["a", "b", "c", "d", "e"].map((name, i) => [i + 1, phase(name, i + 1)]),
        );
      });

      it("gives concurrent batches from two processes distinct numbers with no gaps, each batch in one piece", async () => {
        const a = await open();
        const b = await open();
        const batches = Array.from({ length: 8 }, (_, i) => [phase(`p${i}.0`, i), phase(`p${i}.1`, i), phase(`p${i}.2`, i)]);
        const lasts = await Promise.all(batches.map((batch, i) => (i % 2 === 0 ? a : b).events.appendAll("r-1", batch)));
        const listed = await a.events.list("r-1");
        expect(listed.map((stored) => stored.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
        for (const [i, last] of lasts.entries()) expect(listed.slice(last - 3, last).map((stored) => stored.event)).toEqual(batches[i]);
      });

      it("gives concurrent appends from two processes distinct numbers with no gaps", async () => {
        const a = await open();
        const b = await open();
        const appends = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).events.append("r-1", phase(`p${i}`, i)));
        const seqs = await Promise.all(appends);
        expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
        const listed = await a.events.list("r-1");
        expect(listed.map((stored) => stored.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
        // Each append's number points at its own event.
        for (const [i, seq] of seqs.entries()) expect(listed[seq - 1]?.event).toEqual(phase(`p${i}`, i));
      });
    });

    describe("deliveries", () => {
      it("is true for a new delivery and false for a redelivery", async () => {
        const store = await open();
        expect(await store.deliveries.record("d-1", "issue_comment")).toBe(true);
        expect(await store.deliveries.record("d-1", "issue_comment")).toBe(false);
        expect(await store.deliveries.record("d-2", "issue_comment")).toBe(true);
      });

      it("is true for exactly one of two concurrent records of the same delivery", async () => {
        const a = await open();
        const b = await open();
        const results = await Promise.all([a.deliveries.record("d-1", "issue_comment"), b.deliveries.record("d-1", "issue_comment")]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const again = await Promise.all([a.deliveries.record("d-1", "issue_comment"), a.deliveries.record("d-1", "issue_comment")]);
        expect(again).toEqual([false, false]);
      });

      it("claims a delivery until it is done: busy while claimed, taken again once the claim expires or is given back", async () => {
        const store = await open();
        expect(await store.deliveries.claim("d-1", "issue_comment", "a", 1000)).toEqual({ state: "claimed" });
        expect(await store.deliveries.claim("d-1", "issue_comment", "b", 1000)).toEqual({ state: "busy", holder: "a", until: T0 + 1000 });
        clock.advance(600);
        expect(await store.deliveries.renew("d-1", "a", 1000)).toBe(true);
        clock.advance(600);
        expect(await store.deliveries.claim("d-1", "issue_comment", "b", 1000)).toMatchObject({ state: "busy" });
        clock.advance(400);
        // The holder died: its claim expired, and the next delivery takes the command.
        expect(await store.deliveries.claim("d-1", "issue_comment", "b", 1000)).toEqual({ state: "claimed" });
        expect(await store.deliveries.renew("d-1", "a", 1000)).toBe(false);
        await store.deliveries.release("d-1", "b");
        expect(await store.deliveries.claim("d-1", "issue_comment", "c", 1000)).toEqual({ state: "claimed" });
        await store.deliveries.complete("d-1", "c");
        clock.advance(5000);
        expect(await store.deliveries.claim("d-1", "issue_comment", "d", 1000)).toEqual({ state: "done" });
        expect(await store.deliveries.record("d-1", "issue_comment")).toBe(false);
        // A delivery only recorded counts as done.
        expect(await store.deliveries.record("d-2", "push")).toBe(true);
        expect(await store.deliveries.claim("d-2", "push", "a", 1000)).toEqual({ state: "done" });
      });

      it("moves an unfinished claim only from the holder named", async () => {
        const store = await open();
        await store.deliveries.claim("d-1", "issue_comment", "a", 60_000);
        expect(await store.deliveries.takeOver("d-1", "x", "b", 1000)).toBe(false);
        expect(await store.deliveries.takeOver("d-1", "a", "b", 1000)).toBe(true);
        await store.deliveries.complete("d-1", "a");
        expect(await store.deliveries.claim("d-1", "issue_comment", "c", 1000)).toMatchObject({ state: "busy", holder: "b" });
        await store.deliveries.complete("d-1", "b");
        expect(await store.deliveries.takeOver("d-1", "b", "c", 1000)).toBe(false);
      });

      it("gives a new delivery to exactly one of several processes claiming it at once", async () => {
        const stores = [await open(), await open(), await open()];
        const states = await Promise.all(stores.map((store, i) => store.deliveries.claim("d-race", "issue_comment", `p-${i}`, 1000)));
        expect(states.filter((claim) => claim.state === "claimed")).toHaveLength(1);
      });

      it("prunes deliveries received before a time", async () => {
        const store = await open();
        await store.deliveries.record("old", "push");
        clock.advance(1000);
        await store.deliveries.record("new", "push");
        expect(await store.deliveries.prune(T0 + 1000)).toBe(1);
        expect(await store.deliveries.record("old", "push")).toBe(true);
        expect(await store.deliveries.record("new", "push")).toBe(false);
      });
    });

    describe("leases", () => {
      it("belongs to one holder until it expires", async () => {
        const store = await open();
        expect(await store.leases.acquire("run:r-1", "proc-a", 1000)).toBe(true);
        expect(await store.leases.acquire("run:r-1", "proc-b", 1000)).toBe(false);
        expect(await store.leases.acquire("run:r-2", "proc-b", 1000)).toBe(true);
        clock.advance(999);
        expect(await store.leases.acquire("run:r-1", "proc-b", 1000)).toBe(false);
        clock.advance(1);
        expect(await store.leases.acquire("run:r-1", "proc-b", 1000)).toBe(true);
        expect(await store.leases.renew("run:r-1", "proc-a", 1000)).toBe(false);
        expect(await store.leases.acquire("run:r-1", "proc-a", 1000)).toBe(false);
      });

      it("is not re-entrant: its own holder is refused while it holds it", async () => {
        const store = await open();
        expect(await store.leases.acquire("l", "a", 1000)).toBe(true);
        clock.advance(800);
        expect(await store.leases.acquire("l", "a", 1000)).toBe(false);
        clock.advance(200);
        expect(await store.leases.acquire("l", "a", 1000)).toBe(true);
      });

      it("reads its holder and expiry while unexpired", async () => {
        const store = await open();
        expect(await store.leases.read("l")).toBeUndefined();
        await store.leases.acquire("l", "a", 1000);
        expect(await store.leases.read("l")).toEqual({ holder: "a", expiresAt: T0 + 1000 });
        clock.advance(1000);
        expect(await store.leases.read("l")).toBeUndefined();
      });

      it("is taken over only from the holder named", async () => {
        const store = await open();
        await store.leases.acquire("l", "a", 1000);
        expect(await store.leases.takeOver("l", "b", "c", 1000)).toBe(false);
        expect(await store.leases.takeOver("l", "a", "c", 5000)).toBe(true);
        expect(await store.leases.read("l")).toEqual({ holder: "c", expiresAt: T0 + 5000 });
        expect(await store.leases.takeOver("l", "a", "d", 1000)).toBe(false);
        expect(await store.leases.renew("l", "a", 1000)).toBe(false);
        expect(await store.leases.renew("l", "c", 1000)).toBe(true);
      });

      it("renews only for an unexpired holder", async () => {
        const store = await open();
        await store.leases.acquire("l", "a", 1000);
        clock.advance(900);
        expect(await store.leases.renew("l", "a", 1000)).toBe(true);
        clock.advance(900);
        expect(await store.leases.acquire("l", "b", 1000)).toBe(false);
        expect(await store.leases.renew("l", "b", 1000)).toBe(false);
        clock.advance(100);
        expect(await store.leases.renew("l", "a", 1000)).toBe(false);
        expect(await store.leases.renew("missing", "a", 1000)).toBe(false);
      });

      it("is released only by its holder", async () => {
        const store = await open();
        await store.leases.acquire("l", "a", 1000);
        expect(await store.leases.release("l", "b")).toBe(false);
        expect(await store.leases.acquire("l", "b", 1000)).toBe(false);
        expect(await store.leases.release("l", "a")).toBe(true);
        expect(await store.leases.release("l", "a")).toBe(false);
        expect(await store.leases.acquire("l", "b", 1000)).toBe(true);
      });

      it("goes to exactly one of several processes acquiring at once, free or expired", async () => {
        const stores = [await open(), await open(), await open()];
        const race = () => Promise.all(stores.map((store, i) => store.leases.acquire("run:r-1", `proc-${i}`, 1000)));
        expect((await race()).filter(Boolean)).toHaveLength(1);
        clock.advance(1000);
        expect((await race()).filter(Boolean)).toHaveLength(1);
      });

      it("refuses a TTL that is not a positive whole number of milliseconds", async () => {
        const store = await open();
        await expect(store.leases.acquire("l", "a", 0)).rejects.toBeInstanceOf(StoreArgumentError);
        await expect(store.leases.renew("l", "a", 1.5)).rejects.toMatchObject({ code: "store_argument", argument: "ttlMs" });
      });
    });

    describe("schedules", () => {
      const repo: RepoKey = { installationId: 42, owner: "acme", repo: "widgets" };
      const otherRepo: RepoKey = { installationId: 42, owner: "acme", repo: "gadgets" };
      const otherInstallation: RepoKey = { installationId: 7, owner: "umbrella", repo: "widgets" };
      const schedule = (name: string, nextRunAt: number, extra: Partial<ScheduleInput> = {}): ScheduleInput => ({
        name,
        cron: "0 6 * * 1",
        timezone: "UTC",
        spec: { audit: name, paths: ["src/**"] },
        nextRunAt,
        ...extra,
      });

      it("stores a repository's schedules and lists them by name", async () => {
        const store = await open();
        await store.schedules.upsertForRepo(repo, [schedule("security", T0 + 100), schedule("deps", T0 + 50)]);
        expect(await store.schedules.listForRepo(repo)).toEqual([
          { ...repo, ...schedule("deps", T0 + 50), lastRunAt: null },
          { ...repo, ...schedule("security", T0 + 100), lastRunAt: null },
        ]);
        expect(await store.schedules.listForRepo(otherRepo)).toEqual([]);
      });

      it("replaces the set: removes dropped names, keeps an unchanged occurrence, takes a new one when the timing changed", async () => {
        const store = await open();
        await store.schedules.upsertForRepo(repo, [schedule("keep", T0 + 100), schedule("retime", T0 + 100), schedule("drop", T0 + 100)]);
        await store.schedules.upsertForRepo(otherRepo, [schedule("drop", T0 + 100)]);
        await store.schedules.upsertForRepo(repo, [
          schedule("keep", T0 + 999, { spec: { audit: "keep", paths: ["lib/**"] } }),
          schedule("retime", T0 + 999, { cron: "0 7 * * 1" }),
          schedule("new", T0 + 999),
        ]);
        const byName = Object.fromEntries((await store.schedules.listForRepo(repo)).map((record) => [record.name, record]));
        expect(Object.keys(byName).sort()).toEqual(["keep", "new", "retime"]);
        expect(byName["keep"]).toMatchObject({ nextRunAt: T0 + 100, spec: { audit: "keep", paths: ["lib/**"] } });
        expect(byName["retime"]).toMatchObject({ nextRunAt: T0 + 999, cron: "0 7 * * 1" });
        expect(byName["new"]).toMatchObject({ nextRunAt: T0 + 999 });
        expect((await store.schedules.listForRepo(otherRepo)).map((record) => record.name)).toEqual(["drop"]);
        await store.schedules.upsertForRepo(repo, []);
        expect(await store.schedules.listForRepo(repo)).toEqual([]);
        expect(await store.schedules.listForRepo(otherRepo)).toHaveLength(1);
      });

      it("lists due schedules earliest first and moves a claimed one to its next occurrence", async () => {
        const store = await open();
        await store.schedules.upsertForRepo(repo, [schedule("late", T0 + 20), schedule("early", T0 + 10), schedule("future", T0 + 5000)]);
        await store.schedules.upsertForRepo(otherInstallation, [schedule("mid", T0 + 15)]);
        expect((await store.schedules.due(T0 + 20)).map((record) => record.name)).toEqual(["early", "mid", "late"]);
        expect(await store.schedules.due(T0 + 9)).toEqual([]);

        expect(await store.schedules.claim({ ...repo, name: "early" }, T0 + 10, T0 + 10_010)).toBe(true);
        expect((await store.schedules.due(T0 + 20)).map((record) => record.name)).toEqual(["mid", "late"]);
        const [claimed] = (await store.schedules.listForRepo(repo)).filter((record) => record.name === "early");
        expect(claimed).toMatchObject({ nextRunAt: T0 + 10_010, lastRunAt: T0 + 10 });
      });

      it("lets exactly one process claim an occurrence, and none claim a stale one", async () => {
        const stores = [await open(), await open(), await open()];
        await stores[0]!.schedules.upsertForRepo(repo, [schedule("nightly", T0)]);
        const key = { ...repo, name: "nightly" };
        const results = await Promise.all(stores.map((store) => store.schedules.claim(key, T0, T0 + 86_400_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await stores[1]!.schedules.claim(key, T0, T0 + 2 * 86_400_000)).toBe(false);
        expect(await stores[1]!.schedules.claim({ ...key, name: "missing" }, T0, T0 + 1)).toBe(false);
        expect((await stores[2]!.schedules.listForRepo(repo))[0]?.nextRunAt).toBe(T0 + 86_400_000);
      });

      it("removes a repository's or an installation's schedules", async () => {
        const store = await open();
        await store.schedules.upsertForRepo(repo, [schedule("a", T0), schedule("b", T0)]);
        await store.schedules.upsertForRepo(otherRepo, [schedule("a", T0)]);
        await store.schedules.upsertForRepo(otherInstallation, [schedule("a", T0)]);
        expect(await store.schedules.removeForRepo(repo)).toBe(2);
        expect(await store.schedules.listForRepo(repo)).toEqual([]);
        expect(await store.schedules.listForRepo(otherRepo)).toHaveLength(1);
        expect(await store.schedules.removeForInstallation(42)).toBe(1);
        expect(await store.schedules.listForRepo(otherRepo)).toEqual([]);
        expect((await store.schedules.due(T0)).map((record) => record.owner)).toEqual(["umbrella"]);
      });
    });

    describe("audit issues", () => {
      it("remembers each audit's issue and fingerprints, and overwrites them", async () => {
        const store = await open();
        const key = { owner: "acme", repo: "widgets", audit: "security" };
        expect(await store.auditIssues.get(key)).toBeUndefined();
        await store.auditIssues.set(key, { issueNumber: 12, fingerprints: ["f1", "f2"] });
        await store.auditIssues.set({ ...key, audit: "deps" }, { issueNumber: 13, fingerprints: [] });
        expect(await store.auditIssues.get(key)).toEqual({ issueNumber: 12, fingerprints: ["f1", "f2"] });
        await store.auditIssues.set(key, { issueNumber: 14, fingerprints: ["f3"] });
        expect(await store.auditIssues.get(key)).toEqual({ issueNumber: 14, fingerprints: ["f3"] });
        expect(await store.auditIssues.get({ ...key, audit: "deps" })).toEqual({ issueNumber: 13, fingerprints: [] });
        expect(await store.auditIssues.get({ ...key, repo: "gadgets" })).toBeUndefined();
      });
    });

    describe("recent runs", () => {
      it("lists runs newest first, filtered by repository and status, a page at a time", async () => {
        const store = await open();
        for (const [id, repo, status] of [["r-1", "widgets", "ok"], ["r-2", "gadgets", "running"], ["r-3", "widgets", "running"], ["r-4", "widgets", "error"]] as const) {
          await store.runs.create(newRun(id, { repo, status }));
          clock.advance(10);
        }
        expect((await store.runs.listRecent()).map((run) => run.id)).toEqual(["r-4", "r-3", "r-2", "r-1"]);
        expect((await store.runs.listRecent({ owner: "acme", repo: "widgets" })).map((run) => run.id)).toEqual(["r-4", "r-3", "r-1"]);
        expect((await store.runs.listRecent({ statuses: ["running"] })).map((run) => run.id)).toEqual(["r-3", "r-2"]);
        expect((await store.runs.listRecent({ statuses: [] })).map((run) => run.id)).toEqual([]);
        const first = await store.runs.listRecent({ limit: 2 });
        expect(first.map((run) => run.id)).toEqual(["r-4", "r-3"]);
        expect((await store.runs.listRecent({ limit: 2, before: first.at(-1)?.createdAt })).map((run) => run.id)).toEqual(["r-2", "r-1"]);
      });
    });

    describe("transcripts", () => {
      const entry = (agentId: string, seq: number, kind: string, body: JsonValue, extra: Partial<TranscriptEntryInput> = {}): TranscriptEntryInput => ({
        runId: "r-1",
        agentId,
        execution: "x1",
        seq,
        kind,
        body,
        bytes: JSON.stringify(body).length,
        at: T0 + seq,
        ...extra,
      });

      it("keeps an agent's entries in order, each execution apart, and lists a kind across agents", async () => {
        const store = await open();
        const big = { text: "é".repeat(3000), nested: { list: [1, null, true] } };
        await store.transcripts.append(
          [entry("a1", 0, "start", { prompt: "do it" }), entry("a1", 1, "tool", big), entry("a2", 0, "start", { prompt: "other" }), entry("a1", 2, "end", { status: "finished" })],
          { runLimitBytes: 1_000_000 },
        );
        // The same agent run again (a resumed run) writes a second execution.
        await store.transcripts.append([entry("a1", 0, "start", { prompt: "again" }, { execution: "x2", at: T0 + 100 })], { runLimitBytes: 1_000_000 });
        const listed = await store.transcripts.listAgent("r-1", "a1");
        expect(listed.map((e) => `${e.execution}:${e.seq}:${e.kind}`)).toEqual(["x1:0:start", "x1:1:tool", "x1:2:end", "x2:0:start"]);
        expect(listed[1]?.body).toEqual(big);
        expect(listed[0]).toMatchObject({ agentId: "a1", at: T0, bytes: JSON.stringify({ prompt: "do it" }).length });
        expect((await store.transcripts.listKinds("r-1", ["end"])).map((e) => e.agentId)).toEqual(["a1"]);
        expect(await store.transcripts.listKinds("r-1", [])).toEqual([]);
        expect(await store.transcripts.listAgent("r-2", "a1")).toEqual([]);
      });

      it("skips an entry written twice (a retried flush) and counts nothing for it twice in the listing", async () => {
        const store = await open();
        const batch = [entry("a1", 0, "start", { prompt: "p" })];
        await store.transcripts.append(batch, { runLimitBytes: 1000 });
        await store.transcripts.append(batch, { runLimitBytes: 1000 });
        expect(await store.transcripts.listAgent("r-1", "a1")).toHaveLength(1);
      });

      it("refuses a batch past the run's bound, marks the run truncated, and still takes unbounded markers", async () => {
        const store = await open();
        const limit = 100;
        expect(await store.transcripts.append([entry("a1", 0, "tool", "x".repeat(58))], { runLimitBytes: limit })).toEqual({ stored: 1, accepted: true });
        expect(await store.transcripts.usage("r-1")).toEqual({ bytes: 60, truncated: false });
        expect(await store.transcripts.append([entry("a1", 1, "tool", "y".repeat(48))], { runLimitBytes: limit })).toEqual({ stored: 0, accepted: false });
        expect(await store.transcripts.append([entry("a1", 2, "truncated", { reason: "run" })], { runLimitBytes: limit, unbounded: true })).toMatchObject({ accepted: true });
        expect((await store.transcripts.listAgent("r-1", "a1")).map((e) => e.kind)).toEqual(["tool", "truncated"]);
        expect(await store.transcripts.usage("r-1")).toEqual({ bytes: 60, truncated: true });
        expect(await store.transcripts.usage("r-9")).toEqual({ bytes: 0, truncated: false });
      });

      it("refuses a run's first batch when it alone passes the bound, and marks the run truncated", async () => {
        const store = await open();
        expect(await store.transcripts.append([entry("a1", 0, "tool", "x".repeat(198))], { runLimitBytes: 100 })).toEqual({ stored: 0, accepted: false });
        expect(await store.transcripts.usage("r-1")).toEqual({ bytes: 0, truncated: true });
        expect(await store.transcripts.append([entry("a1", 1, "tool", "y".repeat(48))], { runLimitBytes: 100 })).toEqual({ stored: 1, accepted: true });
        expect(await store.transcripts.usage("r-1")).toEqual({ bytes: 50, truncated: true });
      });

      it("never lets two processes together pass a run's bound", async () => {
        const a = await open();
        const b = await open();
        const writes = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).transcripts.append([entry(`a${i}`, 0, "tool", "z".repeat(98))], { runLimitBytes: 500 }));
        const results = await Promise.all(writes);
        expect(results.filter((r) => r.accepted)).toHaveLength(5);
        expect((await a.transcripts.usage("r-1")).bytes).toBe(500);
        expect(await a.transcripts.listKinds("r-1", ["tool"])).toHaveLength(5);
      });

      it("prunes entries written before the retention cut-off", async () => {
        const store = await open();
        await store.transcripts.append([entry("a1", 0, "start", "old", { at: T0 - 10_000 }), entry("a1", 1, "end", "new", { at: T0 })], { runLimitBytes: 1000 });
        expect(await store.transcripts.prune(T0 - 1)).toBe(1);
        expect((await store.transcripts.listAgent("r-1", "a1")).map((e) => e.body)).toEqual(["new"]);
      });
    });

    describe("run controls", () => {
      it("numbers each run's requests and lists those after a number", async () => {
        const store = await open();
        expect(await store.controls.request("r-1", { action: "stop-agent", agentId: "a3", requestedBy: "octocat" })).toBe(1);
        expect(await store.controls.request("r-2", { action: "cancel" })).toBe(1);
        expect(await store.controls.request("r-1", { action: "cancel", requestedBy: "hubot" })).toBe(2);
        expect(await store.controls.list("r-1")).toEqual([
          { seq: 1, action: "stop-agent", agentId: "a3", requestedBy: "octocat", createdAt: T0 },
          { seq: 2, action: "cancel", agentId: null, requestedBy: "hubot", createdAt: T0 },
        ]);
        expect((await store.controls.list("r-1", 1)).map((c) => c.seq)).toEqual([2]);
      });

      it("gives concurrent requests from two processes distinct numbers", async () => {
        const a = await open();
        const b = await open();
        const seqs = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).controls.request("r-1", { action: "stop-agent", agentId: `a${i}` })));
        expect([...seqs].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      });
    });

    describe("CI waits", () => {
      const wait = (runId: string, headSha: string, deadline: number) => ({
        runId,
        installationId: 42,
        owner: "acme",
        repo: "widgets",
        branch: `dynflow/${runId}`,
        headSha,
        round: 0,
        state: "waiting" as const,
        deadline,
        prNumber: 7,
        prNodeId: "PR_7",
        readyWhenGreen: true,
        settings: { repairRounds: 2 },
        history: [],
      });

      it("keeps a wait, finds it by head commit and by deadline, and outlives the connection", async () => {
        const store = await open();
        await store.ciWaits.put(wait("r-1", "aaa", T0 + 1000));
        await store.ciWaits.put(wait("r-2", "bbb", T0 + 5000));
        expect(await store.ciWaits.signalHead({ owner: "acme", repo: "widgets", headSha: "aaa" })).toEqual(["r-1"]);
        expect(await store.ciWaits.signalHead({ owner: "acme", repo: "other", headSha: "aaa" })).toEqual([]);
        expect(await store.ciWaits.listWaiting()).toEqual(["r-1", "r-2"]);
        expect(await store.ciWaits.listWaiting({ dueBy: T0 + 1000 })).toEqual(["r-1"]);
        await close(store);
        const again = await open();
        expect(await again.ciWaits.get("r-1")).toMatchObject({ headSha: "aaa", signals: 1, state: "waiting", readyWhenGreen: true, prNumber: 7, settings: { repairRounds: 2 }, history: [] });
      });

      it("moves a wait on only from the state (and signals) expected, so two processes never both act", async () => {
        const a = await open();
        const b = await open();
        await a.ciWaits.put(wait("r-1", "aaa", T0 + 1000));
        const results = await Promise.all([a, b].map((store) => store.ciWaits.update("r-1", { state: "passed" }, { state: "waiting", signals: 0 })));
        expect(results.sort()).toEqual([false, true]);
        await a.ciWaits.put(wait("r-2", "ccc", T0 + 1000));
        await b.ciWaits.signalHead({ owner: "acme", repo: "widgets", headSha: "ccc" });
        expect(await a.ciWaits.update("r-2", { state: "failed" }, { state: "waiting", signals: 0 })).toBe(false);
        expect(await a.ciWaits.update("r-2", { headSha: "ddd", round: 1, history: [{ round: 0 }] }, { state: "waiting" })).toBe(true);
        expect(await a.ciWaits.get("r-2")).toMatchObject({ headSha: "ddd", round: 1, history: [{ round: 0 }], signals: 1 });
        // A resumed run waits anew: put replaces the row.
        await a.ciWaits.put(wait("r-1", "eee", T0 + 9000));
        expect(await a.ciWaits.get("r-1")).toMatchObject({ headSha: "eee", state: "waiting", signals: 0 });
      });
    });

    describe("branch cleanups", () => {
      it("keeps a cleanup pending until it is done, across connections, and a close seen meanwhile stays pending", async () => {
        const a = await open();
        const b = await open();
        expect(await a.branchCleanups.pending("r-1")).toBeUndefined();
        await a.branchCleanups.request("r-1");
        await a.branchCleanups.request("r-2");
        expect(await b.branchCleanups.listPending()).toEqual(["r-1", "r-2"]);
        const first = (await b.branchCleanups.pending("r-1"))!;
        expect(first).toEqual({ runId: "r-1", requests: 1 });
        // Closed again (a redelivery, or reopened and closed) while the first cleanup ran.
        await a.branchCleanups.request("r-1");
        await b.branchCleanups.complete(first);
        expect(await a.branchCleanups.pending("r-1")).toEqual({ runId: "r-1", requests: 2 });
        await b.branchCleanups.complete({ runId: "r-1", requests: 2 });
        // An older completion never takes a later one back.
        await a.branchCleanups.complete(first);
        expect(await a.branchCleanups.pending("r-1")).toBeUndefined();
        expect(await a.branchCleanups.listPending()).toEqual(["r-2"]);
      });
    });

    describe("change objects", () => {
      it("keeps a run's changes once each, for any connection, until the run forgets them", async () => {
        const a = await open();
        const b = await open();
        const change = (commit: string, text: string) => ({ commit, objects: [{ type: "blob" as const, data: Buffer.from(text).toString("base64") }] });
        await a.changeObjects.save("r-1", "dynflow/r-1-work/a", change("c1", "first"));
        await b.changeObjects.save("r-1", "dynflow/r-1-work/b", change("c2", "second"));
        // The same commit again (a redelivered outcome) changes nothing.
        await b.changeObjects.save("r-1", "dynflow/r-1-work/a", change("c1", "other bytes"));
        await a.changeObjects.save("r-2", "dynflow/r-2-work/a", change("c1", "another run"));
        expect(await b.changeObjects.list("r-1")).toEqual([
          { branch: "dynflow/r-1-work/a", change: change("c1", "first") },
          { branch: "dynflow/r-1-work/b", change: change("c2", "second") },
        ]);
        await b.changeObjects.forget("r-1");
        expect(await a.changeObjects.list("r-1")).toEqual([]);
        expect(await a.changeObjects.list("r-2")).toEqual([{ branch: "dynflow/r-2-work/a", change: change("c1", "another run") }]);
      });

      it("prunes the changes of runs that saved none since the cutoff, a run's all together", async () => {
        const a = await open();
        const change = (commit: string) => ({ commit, objects: [{ type: "blob" as const, data: Buffer.from(commit).toString("base64") }] });
        clock.set(T0);
        await a.changeObjects.save("old", "dynflow/old-work/a", change("c1"));
        await a.changeObjects.save("mixed", "dynflow/mixed-work/a", change("c2"));
        clock.set(T0 + 10_000);
        await a.changeObjects.save("mixed", "dynflow/mixed-work/b", change("c3"));
        await a.changeObjects.save("new", "dynflow/new-work/a", change("c4"));

        expect(await a.changeObjects.prune(T0 + 5_000)).toBe(1);
        expect(await a.changeObjects.list("old")).toEqual([]);
        // Its last change is recent: the run keeps its first one too.
        expect((await a.changeObjects.list("mixed")).map((kept) => kept.change.commit)).toEqual(["c2", "c3"]);
        expect(await a.changeObjects.prune(T0 + 5_000)).toBe(0);
        expect(await a.changeObjects.prune(T0 + 20_000)).toBe(3);
        expect(await a.changeObjects.list("new")).toEqual([]);
      });
    });
  });
}
