import { sql, type Kysely } from "kysely";
import type { RunEvent } from "../runtime/types.js";
import type { Clock } from "../time.js";
import { fromJson, toJson } from "./json-column.js";
import type { Database } from "./schema.js";
import { preparedQuery } from "./prepared-query.js";
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
 * saw seq n has seen every event before it. `appendAll` numbers a batch so
 * in one statement: a conflict retries the whole batch.
 */
export function createEventStore(db: Kysely<Database>, clock: Clock): EventStore {
  const insertNext = nextInserter(db);
  return {
    async append(runId, event) {
      const text = toJson(event);
      for (let attempt = 1; ; attempt++) {
        try {
          return (await insertNext(runId, [text], clock.now()))[0] as number;
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= APPEND_ATTEMPTS) throw error;
        }
      }
    },

    async appendAll(runId, events) {
      if (events.length === 0) return 0;
      const texts = events.map((event) => toJson(event));
      for (let attempt = 1; ; attempt++) {
        try {
          const rows = await insertNext(runId, texts, clock.now());
          return Math.max(...rows);
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

/** Batches up to this many events are inserted by a query compiled once per size; longer ones are built each time. */
const PREPARED_BATCH = 16;

/**
 * Inserts events as the run's highest number plus one, two, ..., computed
 * inside one statement (every row's subquery sees the table as it was before
 * the statement); returns the numbers. The query is compiled once per batch
 * size up to `PREPARED_BATCH`.
 */
function nextInserter(db: Kysely<Database>): (runId: string, texts: readonly string[], now: number) => Promise<number[]> {
  const bySize = new Map<number, ReturnType<typeof prepareInsert>>();
  return async (runId, texts, now) => {
    if (texts.length > PREPARED_BATCH) return (await buildInsert(db, texts.length, { runId, now, events: texts }).execute()).map((row) => row.seq);
    let insert = bySize.get(texts.length);
    if (insert === undefined) bySize.set(texts.length, (insert = prepareInsert(db, texts.length)));
    const values: Record<string, unknown> = { runId, now };
    texts.forEach((text, i) => (values[`event${i}`] = text));
    return (await insert(values)).rows.map((row) => row.seq);
  };
}

function prepareInsert(db: Kysely<Database>, count: number) {
  const names = ["runId", "now", ...Array.from({ length: count }, (_, i) => `event${i}`)];
  return preparedQuery(db, names, (plain, value) =>
    buildInsert(plain, count, { runId: value("runId"), now: value("now"), events: Array.from({ length: count }, (_, i) => value(`event${i}`)) }),
  );
}

/** The insert of `count` events; the row number of each is written in the query, its other values are parameters. */
function buildInsert(db: Kysely<Database>, count: number, values: { runId: string; now: number; events: readonly string[] }) {
  return db
    .insertInto("run_events")
    .values(
      Array.from({ length: count }, (_, i) => ({
        run_id: values.runId,
        seq: (eb) => eb.selectFrom("run_events").select(sql<number>`coalesce(max(seq), 0) + ${sql.lit(i + 1)}`.as("next")).where("run_id", "=", values.runId),
        event: values.events[i] as string,
        created_at: values.now,
      })),
    )
    .returning("seq");
}
