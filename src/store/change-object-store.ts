import type { Kysely } from "kysely";
import type { Clock } from "../time.js";
import type { CarriedObject } from "../workspace/index.js";
import { fromJson, toJson } from "./json-column.js";
import type { Database } from "./schema.js";
import type { ChangeObjectStore } from "./types.js";

/**
 * The `change_objects` table. A change is saved once (the same commit is the
 * same objects, whoever saves it again) and a run's changes are forgotten
 * together, once they are on the remote.
 */
export function createChangeObjectStore(db: Kysely<Database>, clock: Clock): ChangeObjectStore {
  return {
    async save(runId, branch, change) {
      await db
        .insertInto("change_objects")
        .values({ run_id: runId, commit_id: change.commit, branch, objects: toJson(change.objects), created_at: clock.now() })
        .onConflict((oc) => oc.columns(["run_id", "commit_id"]).doNothing())
        .execute();
    },

    async list(runId) {
      const rows = await db.selectFrom("change_objects").select(["commit_id", "branch", "objects"]).where("run_id", "=", runId).orderBy("created_at").orderBy("commit_id").execute();
      return rows.map((row) => ({ branch: row.branch, change: { commit: row.commit_id, objects: fromJson<CarriedObject[]>(row.objects) ?? [] } }));
    },

    async forget(runId) {
      await db.deleteFrom("change_objects").where("run_id", "=", runId).execute();
    },

    async prune(before) {
      // A run's changes go together, once its last one is older: a run is never left with part of them.
      const result = await db
        .deleteFrom("change_objects")
        .where("run_id", "in", (qb) => qb.selectFrom("change_objects").select("run_id").groupBy("run_id").having((eb) => eb.fn.max("created_at"), "<", before))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
