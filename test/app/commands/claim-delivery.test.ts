/**
 * A delivery's claim on a real SQLite store: done once, given back on a
 * failure, taken over from a process of this host that is gone.
 */
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimDelivery } from "../../../src/app/commands/claim-delivery.js";
import { newProcessId } from "../../../src/app/steps/run-lease.js";
import { openStore, type Store } from "../../../src/store/index.js";
import { removeDir, tempDir } from "../../workspace/git-fixture.js";

const log = pino({ level: "silent" });
let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await tempDir("dynflow-claim-delivery-");
  store = await openStore({ sqlitePath: join(dir, "dynflow.db") });
});
afterEach(async () => {
  await store.close();
  await removeDir(dir);
});

const claim = (processId = newProcessId()) => claimDelivery({ store, processId, deliveryId: "d-1", name: "issue_comment", log });

describe("claimDelivery", () => {
  it("ignores a delivery once it is done", async () => {
    const first = await claim();
    expect(first).not.toBeNull();
    await first!.done();
    expect(await claim()).toBeNull();
  });

  it("lets the next delivery take a command whose handler failed", async () => {
    const first = await claim();
    await first!.giveBack();
    const second = await claim();
    expect(second).not.toBeNull();
    await second!.done();
  });

  it("takes over at once from a handler whose process is gone from this host", async () => {
    // A process of this host with a pid no process has (pids stay below 2^22 on Linux).
    const gone = newProcessId().replace(/:\d+:/, ":4194999:");
    expect(await store.deliveries.claim("d-1", "issue_comment", `${gone}/0a0b`, 60_000)).toEqual({ state: "claimed" });
    const taken = await claim();
    expect(taken).not.toBeNull();
    await taken!.done();
    expect(await store.deliveries.claim("d-1", "issue_comment", "someone", 60_000)).toEqual({ state: "done" });
  });
});
