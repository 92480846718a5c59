import { sql, type Kysely, type Selectable } from "kysely";
import type { ChangeRef, Journal, JournalEntry, JsonValue, TokenUsage } from "../runtime/types.js";
import type { Clock } from "../time.js";
import { fromJson, toJson, toNullableJson } from "./json-column.js";
import { preparedQuery } from "./prepared-query.js";
import type { Database, JournalTable } from "./schema.js";

/**
 * The journals of a store's runs, by run, in the `journal` table; their
 * queries are compiled once for all of them. `put` inserts or does nothing:
 * when two processes finish the same agent (a lease lost mid-run, a retried
 * job), the first result stays and the second is never counted.
 */
export function createSqlJournals(db: Kysely<Database>, clock: Clock): (runId: string) => Journal {
  const queries = prepareJournalQueries(db);
  return (runId) => ({
    async get(key) {
      const { rows } = await queries.get({ runId, key });
      return rows[0] && toEntry(rows[0]);
    },

    async put(entry) {
      await queries.put({
        runId,
        key: entry.key,
        label: entry.label,
        output: toJson(entry.output),
        change: toNullableJson(entry.change),
        usage: toJson(entry.usage),
        costUsd: entry.costUsd,
        meta: toJson(entry.meta),
        createdAt: clock.now(),
      });
    },
  });
}

function prepareJournalQueries(db: Kysely<Database>) {
  return {
    get: preparedQuery(db, ["runId", "key"], (plain, value) => plain.selectFrom("journal").selectAll().where("run_id", "=", value("runId")).where("key", "=", value("key"))),
    put: preparedQuery(db, ["runId", "key", "label", "output", "change", "usage", "costUsd", "meta", "createdAt"], (plain, value) =>
      plain
        .insertInto("journal")
        .values({
          run_id: value("runId"),
          key: value("key"),
          // Position in the run, for listing in journal order. Two processes
          // journaling at the same instant may share a number; the key breaks the tie.
          seq: (eb) =>
            eb
              .selectFrom("journal")
              .select(sql<number>`coalesce(max(seq), 0) + 1`.as("next"))
              .where("run_id", "=", value("runId")),
          label: value("label"),
          output: value("output"),
          change: value("change"),
          usage: value("usage"),
          cost_usd: value("costUsd"),
          meta: value("meta"),
          created_at: value("createdAt"),
        })
        .onConflict((oc) => oc.columns(["run_id", "key"]).doNothing()),
    ),
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
