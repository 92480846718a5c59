import { sql, type Kysely } from "kysely";
import type { Clock } from "../time.js";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./sql-errors.js";
import type { RunControlAction, RunControlStore } from "./types.js";

const REQUEST_ATTEMPTS = 50;

/**
 * The `run_controls` table: requests numbered per run like `run_events`
 * (highest plus one inside the insert; a concurrent insert that took the
 * number retries), so the executing process reads each one once, in order.
 */
export function createControlStore(db: Kysely<Database>, clock: Clock): RunControlStore {
  return {
    async request(runId, control) {
      for (let attempt = 1; ; attempt++) {
        try {
          const row = await db
            .insertInto("run_controls")
            .values({
              run_id: runId,
              seq: (eb) =>
                eb
                  .selectFrom("run_controls")
                  .select(sql<number>`coalesce(max(seq), 0) + 1`.as("next"))
                  .where("run_id", "=", runId),
              action: control.action,
              agent_id: control.agentId ?? null,
              requested_by: control.requestedBy ?? null,
              created_at: clock.now(),
            })
            .returning("seq")
            .executeTakeFirstOrThrow();
          return row.seq;
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= REQUEST_ATTEMPTS) throw error;
        }
      }
    },

    async list(runId, afterSeq = 0) {
      const rows = await db.selectFrom("run_controls").selectAll().where("run_id", "=", runId).where("seq", ">", afterSeq).orderBy("seq").execute();
      return rows.map((row) => ({
        seq: row.seq,
        action: row.action as RunControlAction,
        agentId: row.agent_id,
        requestedBy: row.requested_by,
        createdAt: row.created_at,
      }));
    },
  };
}
