import type { Kysely } from "kysely";
import type { Clock } from "../time.js";
import type { Database } from "./schema.js";
import type { BranchCleanupStore } from "./types.js";

/**
 * The `branch_cleanups` table: a counter of closes per run and the count
 * last cleaned up for. Counting, not a flag, so a close seen while a cleanup
 * runs (the pull request reopened and closed again) is not marked done by it.
 */
export function createBranchCleanupStore(db: Kysely<Database>, clock: Clock): BranchCleanupStore {
  return {
    async request(runId) {
      const now = clock.now();
      await db
        .insertInto("branch_cleanups")
        .values({ run_id: runId, requests: 1, done: 0, updated_at: now })
        .onConflict((oc) => oc.column("run_id").doUpdateSet((eb) => ({ requests: eb("branch_cleanups.requests", "+", 1), updated_at: now })))
        .execute();
    },

    async pending(runId) {
      const row = await db.selectFrom("branch_cleanups").select(["requests", "done"]).where("run_id", "=", runId).executeTakeFirst();
      return row === undefined || row.requests <= row.done ? undefined : { runId, requests: row.requests };
    },

    async listPending() {
      const rows = await db.selectFrom("branch_cleanups").select("run_id").whereRef("requests", ">", "done").orderBy("updated_at").orderBy("run_id").execute();
      return rows.map((row) => row.run_id);
    },

    async complete(cleanup) {
      await db
        .updateTable("branch_cleanups")
        .set({ done: cleanup.requests, updated_at: clock.now() })
        .where("run_id", "=", cleanup.runId)
        .where("done", "<", cleanup.requests)
        .execute();
    },
  };
}
