import type { Kysely } from "kysely";
import type { JsonValue } from "../runtime/types.js";
import type { Clock } from "../time.js";
import { fromJson, toJson } from "./json-column.js";
import type { Database } from "./schema.js";
import type { TranscriptEntry, TranscriptEntryInput, TranscriptStore } from "./types.js";

/** Rows per insert statement: well under SQLite's limit of bound variables. */
const ROWS_PER_INSERT = 400;

/**
 * The `transcript_entries` and `transcript_budgets` tables. A batch's bytes
 * are reserved with one conditional upsert before it is written, so two
 * processes writing for the same run can never together pass its bound.
 */
export function createTranscriptStore(db: Kysely<Database>, clock: Clock): TranscriptStore {
  async function reserve(runId: string, bytes: number, limit: number): Promise<boolean> {
    const now = clock.now();
    // One statement: the run's first batch creates its budget, later ones add to it while they fit.
    if (bytes <= limit) {
      const reserved = await db
        .insertInto("transcript_budgets")
        .values({ run_id: runId, bytes, truncated: 0, updated_at: now })
        .onConflict((oc) =>
          oc
            .column("run_id")
            .doUpdateSet((eb) => ({ bytes: eb("transcript_budgets.bytes", "+", bytes), updated_at: now }))
            .where((eb) => eb(eb("transcript_budgets.bytes", "+", bytes), "<=", limit)),
        )
        .executeTakeFirst();
      if (Number(reserved.numInsertedOrUpdatedRows) === 1) return true;
    }
    await db
      .insertInto("transcript_budgets")
      .values({ run_id: runId, bytes: 0, truncated: 1, updated_at: now })
      .onConflict((oc) => oc.column("run_id").doUpdateSet({ truncated: 1, updated_at: now }))
      .execute();
    return false;
  }

  async function insert(entries: readonly TranscriptEntryInput[]): Promise<void> {
    for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
      const rows = entries.slice(i, i + ROWS_PER_INSERT).map((entry) => ({
        run_id: entry.runId,
        agent_id: entry.agentId,
        execution: entry.execution,
        seq: entry.seq,
        kind: entry.kind,
        body: toJson(entry.body),
        bytes: entry.bytes,
        created_at: entry.at,
      }));
      await db
        .insertInto("transcript_entries")
        .values(rows)
        .onConflict((oc) => oc.columns(["run_id", "agent_id", "execution", "seq"]).doNothing())
        .execute();
    }
  }

  return {
    async append(entries, options) {
      if (entries.length === 0) return { stored: 0, accepted: true };
      const byRun = new Map<string, TranscriptEntryInput[]>();
      for (const entry of entries) {
        const list = byRun.get(entry.runId);
        if (list) list.push(entry);
        else byRun.set(entry.runId, [entry]);
      }
      let stored = 0;
      let accepted = true;
      for (const [runId, list] of byRun) {
        const bytes = list.reduce((sum, entry) => sum + entry.bytes, 0);
        if (!options.unbounded && !(await reserve(runId, bytes, options.runLimitBytes))) {
          accepted = false;
          continue;
        }
        await insert(list);
        stored += list.length;
      }
      return { stored, accepted };
    },

    async listAgent(runId, agentId) {
      const rows = await db
        .selectFrom("transcript_entries")
        .selectAll()
        .where("run_id", "=", runId)
        .where("agent_id", "=", agentId)
        .orderBy("created_at")
        .orderBy("execution")
        .orderBy("seq")
        .execute();
      // An execution's entries stay together, executions in the order they started.
      const started = new Map<string, number>();
      for (const row of rows) if (!started.has(row.execution)) started.set(row.execution, row.created_at);
      return rows
        .map(toEntry)
        .sort((a, b) => (started.get(a.execution) ?? 0) - (started.get(b.execution) ?? 0) || a.execution.localeCompare(b.execution) || a.seq - b.seq);
    },

    async listKinds(runId, kinds) {
      if (kinds.length === 0) return [];
      const rows = await db
        .selectFrom("transcript_entries")
        .selectAll()
        .where("run_id", "=", runId)
        .where("kind", "in", [...kinds])
        .orderBy("created_at")
        .orderBy("seq")
        .execute();
      return rows.map(toEntry);
    },

    async usage(runId) {
      const row = await db.selectFrom("transcript_budgets").select(["bytes", "truncated"]).where("run_id", "=", runId).executeTakeFirst();
      return { bytes: row?.bytes ?? 0, truncated: row?.truncated === 1 };
    },

    async prune(before) {
      const deleted = await db.deleteFrom("transcript_entries").where("created_at", "<", before).executeTakeFirst();
      // A budget outlives its entries only while the run still writes.
      await db.deleteFrom("transcript_budgets").where("updated_at", "<", before).execute();
      return Number(deleted.numDeletedRows);
    },
  };
}

function toEntry(row: { agent_id: string; execution: string; seq: number; kind: string; body: string; bytes: number; created_at: number }): TranscriptEntry {
  return {
    agentId: row.agent_id,
    execution: row.execution,
    seq: row.seq,
    kind: row.kind,
    body: fromJson<JsonValue>(row.body) ?? null,
    bytes: row.bytes,
    at: row.created_at,
  };
}
