/**
 * Ownership of a run step: one step at a time, never re-entrant, and a
 * holder whose process is gone from this host taken over at once.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isGoneLocalHolder, runIsHeld, takeRunLease, type LocalProcess } from "../../../src/app/steps/run-lease.js";
import { openStore, type Store } from "../../../src/store/index.js";
import { removeDir, tempDir } from "../../workspace/git-fixture.js";

const self: LocalProcess = { processId: "box:100:aaaa", host: "box", pid: 100, alive: (pid) => pid === 100 || pid === 200 };

describe("isGoneLocalHolder", () => {
  it("knows a step of a process of this host that no longer runs", () => {
    expect(isGoneLocalHolder("box:300:bbbb/0102", self)).toBe(true);
    // An earlier start under our own pid (a container's pid 1).
    expect(isGoneLocalHolder("box:100:bbbb/0102", self)).toBe(true);
  });

  it("never calls a holder gone that may live: running here, this process, another host, another form", () => {
    expect(isGoneLocalHolder("box:200:bbbb/0102", self)).toBe(false);
    expect(isGoneLocalHolder("box:100:aaaa/0102", self)).toBe(false);
    expect(isGoneLocalHolder("other:300:bbbb/0102", self)).toBe(false);
    expect(isGoneLocalHolder("embedded", self)).toBe(false);
  });
});

describe("takeRunLease", () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await tempDir("dynflow-run-lease-");
    store = await openStore({ sqlitePath: join(dir, "dynflow.db") });
  });
  afterEach(async () => {
    await store.close();
    await removeDir(dir);
  });

  it("gives the run to one step, even of the same process", async () => {
    expect(await takeRunLease(store.leases, "r-1", "box:100:aaaa/01", self)).toBe(true);
    expect(await takeRunLease(store.leases, "r-1", "box:100:aaaa/02", self)).toBe(false);
    expect(await takeRunLease(store.leases, "r-1", "box:200:cccc/03", self)).toBe(false);
    expect(await runIsHeld(store.leases, "r-1", self)).toBe(true);
  });

  it("takes over at once from a step whose process is gone, and from no other", async () => {
    expect(await store.leases.acquire("run:r-2", "box:300:bbbb/01", 60_000)).toBe(true);
    expect(await runIsHeld(store.leases, "r-2", self)).toBe(false);
    expect(await takeRunLease(store.leases, "r-2", "box:100:aaaa/02", self)).toBe(true);
    expect(await store.leases.read("run:r-2")).toMatchObject({ holder: "box:100:aaaa/02" });

    expect(await store.leases.acquire("run:r-3", "elsewhere:300:bbbb/01", 60_000)).toBe(true);
    expect(await takeRunLease(store.leases, "r-3", "box:100:aaaa/02", self)).toBe(false);
  });
});
