import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cancelCiWait } from "../../../src/app/ci/cancel-ci-wait.js";
import { openStore, type Store } from "../../../src/store/index.js";
import { removeDir, tempDir } from "../../workspace/git-fixture.js";
import { waitingCiWait } from "./ci-wait-fixture.js";

const A = "a".repeat(40);
const B = "b".repeat(40);

describe("cancelCiWait", () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await tempDir("dynflow-cancel-ci-");
    store = await openStore({ sqlitePath: join(dir, "db.sqlite"), clock: { now: () => 1_000 } });
    await store.ciWaits.put(waitingCiWait("r-1", { headSha: A }));
  });
  afterEach(async () => {
    await store.close();
    await removeDir(dir);
  });

  it("keeps a repair round recorded between its read and its update: the cancel reads the wait again", async () => {
    let reads = 0;
    const racing: Pick<Store, "ciWaits"> = {
      ciWaits: {
        ...store.ciWaits,
        get: async (runId) => {
          const wait = await store.ciWaits.get(runId);
          // Right after the cancel's first read, a repair round pushes and moves the wait to its next round.
          if (++reads === 1) {
            const repaired = [{ round: 0, headSha: A, outcome: "repaired" as const, failing: ["test"] }];
            expect(await store.ciWaits.update(runId, { round: 1, headSha: B, history: repaired }, { state: "waiting" })).toBe(true);
          }
          return wait;
        },
      },
    };
    const ended = await cancelCiWait(racing, "r-1", "the pull request was closed.");
    expect(ended).toMatchObject({ state: "cancelled", round: 1, headSha: B });
    expect((await store.ciWaits.get("r-1"))!.history).toEqual([
      { round: 0, headSha: A, outcome: "repaired", failing: ["test"] },
      { round: 1, headSha: B, outcome: "cancelled", failing: [], note: "the pull request was closed." },
    ]);
  });

  it("does nothing to a wait that has ended", async () => {
    await store.ciWaits.update("r-1", { state: "passed" }, { state: "waiting" });
    expect(await cancelCiWait(store, "r-1", "cancelled")).toBeNull();
    expect((await store.ciWaits.get("r-1"))!.state).toBe("passed");
  });
});
