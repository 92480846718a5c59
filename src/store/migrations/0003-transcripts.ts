/**
 * Agent transcripts and run controls (see docs/storage.md).
 *
 * - `transcript_entries`: what each agent was told, the tools it called, what
 *   it answered, per turn; bounded by the writers, pruned after the retention
 *   period. One agent execution writes one stream of entries (`execution`),
 *   so a resumed run adds a stream instead of colliding with the first.
 * - `transcript_budgets`: bytes each run's transcripts hold, reserved
 *   atomically before a batch is written, so the run's bound holds across
 *   every process writing for it.
 * - `run_controls`: stop and cancel requests from the dashboard, read by the
 *   process that executes the run, wherever it is.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("transcript_entries")
    .addColumn("run_id", "text", (col) => col.notNull())
    .addColumn("agent_id", "text", (col) => col.notNull())
    .addColumn("execution", "text", (col) => col.notNull())
    .addColumn("seq", "integer", (col) => col.notNull())
    .addColumn("kind", "text", (col) => col.notNull())
    .addColumn("body", "text", (col) => col.notNull())
    .addColumn("bytes", "integer", (col) => col.notNull())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addPrimaryKeyConstraint("transcript_entries_pk", ["run_id", "agent_id", "execution", "seq"])
    .execute();
  await db.schema.createIndex("transcript_entries_kind_idx").on("transcript_entries").columns(["run_id", "kind"]).execute();
  await db.schema.createIndex("transcript_entries_created_idx").on("transcript_entries").column("created_at").execute();

  await db.schema
    .createTable("transcript_budgets")
    .addColumn("run_id", "text", (col) => col.primaryKey())
    .addColumn("bytes", "bigint", (col) => col.notNull())
    .addColumn("truncated", "integer", (col) => col.notNull())
    .addColumn("updated_at", "bigint", (col) => col.notNull())
    .execute();

  await db.schema
    .createTable("run_controls")
    .addColumn("run_id", "text", (col) => col.notNull())
    .addColumn("seq", "integer", (col) => col.notNull())
    .addColumn("action", "text", (col) => col.notNull())
    .addColumn("agent_id", "text")
    .addColumn("requested_by", "text")
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addPrimaryKeyConstraint("run_controls_pk", ["run_id", "seq"])
    .execute();
}
