import { sql, type Kysely, type Selectable } from "kysely";
import type { ChangeRef, Journal, JournalEntry, JsonValue, TokenUsage } from "../runtime/types.js";
import type { Clock } from "../time.js";
import { fromJson, toJson, toNullableJson } from "./json-column.js";
import type { Database, JournalTable } from "./schema.js";

/**
 * One run's journal in the `journal` table. `put` inserts or does nothing:
 * when two processes finish the same agent (a lease lost mid-run, a retried
 * job), the first result stays and the second is never counted.
 */
export function createSqlJournal(db: Kysely<Database>, clock: Clock, runId: string): Journal {
  return {
    async get(key) {
      const row = await db.selectFrom("journal").selectAll().where("run_id", "=", runId).where("key", "=", key).executeTakeFirst();
      return row && toEntry(row);
    },

    async put(entry) {
      await db
        .insertInto("journal")
        .values({
          run_id: runId,
          key: entry.key,
          // Position in the run, for listing in journal order. Two processes
          // journaling at the same instant may share a number; the key breaks the tie.
          seq: (eb) =>
            eb
              .selectFrom("journal")
              .select(sql<number>`coalesce(max(seq), 0) + 1`.as("next"))
              .where("run_id", "=", runId),
          label: entry.label,
          output: toJson(entry.output),
          change: toNullableJson(entry.change),
          usage: toJson(entry.usage),
          cost_usd: entry.costUsd,
          meta: toJson(entry.meta),
          created_at: clock.now(),
        })
        .onConflict((oc) => oc.columns(["run_id", "key"]).doNothing())
        .execute();
    },
  };
}

/** Every entry of a run, in the order journaled. */
export async function listJournalEntries(db: Kysely<Database>, runId: string): Promise<JournalEntry[]> {
  const rows = await db.selectFrom("journal").selectAll().where("run_id", "=", runId).orderBy("seq").orderBy("key").execute();
  return rows.map(toEntry);
}

function toEntry(row: Selectable<JournalTable>): JournalEntry {
  return {
    key: row.key,
    label: row.label,
    output: fromJson<JsonValue>(row.output),
    change: fromJson<ChangeRef>(row.change),
    usage: fromJson<TokenUsage>(row.usage) as TokenUsage,
    costUsd: row.cost_usd,
    meta: fromJson<{ [key: string]: JsonValue }>(row.meta) ?? {},
  };
}
