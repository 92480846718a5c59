import { sql, type Kysely } from "kysely";
import type { RunEvent } from "../runtime/types.js";
import type { Clock } from "../time.js";
import { fromJson, toJson } from "./json-column.js";
import type { Database } from "./schema.js";
import { isUniqueViolation } from "./sql-errors.js";
import type { EventStore } from "./types.js";

/** Attempts when concurrent appends to the same run pick the same number. */
const APPEND_ATTEMPTS = 100;
const DEFAULT_LIST_LIMIT = 1000;

/**
 * The `run_events` table. A sequence number is the run's highest plus one,
 * computed inside the insert; when two processes append at once, the primary
 * key refuses the second (PostgreSQL makes it wait for the first to commit),
 * which then takes the next number. So numbers have no gaps and a reader that
 * saw seq n has seen every event before it.
 */
export function createEventStore(db: Kysely<Database>, clock: Clock): EventStore {
  return {
    async append(runId, event) {
      const text = toJson(event);
      for (let attempt = 1; ; attempt++) {
        try {
          const row = await db
            .insertInto("run_events")
            .values({
              run_id: runId,
              seq: (eb) =>
                eb
                  .selectFrom("run_events")
                  .select(sql<number>`coalesce(max(seq), 0) + 1`.as("next"))
                  .where("run_id", "=", runId),
              event: text,
              created_at: clock.now(),
            })
            .returning("seq")
            .executeTakeFirstOrThrow();
          return row.seq;
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= APPEND_ATTEMPTS) throw error;
        }
      }
    },

    async list(runId, options = {}) {
      const rows = await db
        .selectFrom("run_events")
        .selectAll()
        .where("run_id", "=", runId)
        .where("seq", ">", options.afterSeq ?? 0)
        .orderBy("seq")
        .limit(options.limit ?? DEFAULT_LIST_LIMIT)
        .execute();
      return rows.map((row) => ({ seq: row.seq, event: fromJson<RunEvent>(row.event) as RunEvent, createdAt: row.created_at }));
    },
  };
}
