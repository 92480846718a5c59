/**
 * Cleaning up after a closed pull request (see docs/github-app.md).
 *
 * - `branch_cleanups`: one row per run whose consolidated pull request was
 *   closed: `requests` counts the closes seen, `done` the last one whose
 *   cleanup finished. A row with `requests > done` is still to clean up, so a
 *   process that died before it did finds it again at start: the webhook only
 *   writes this row and queues the run's `closed` step.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("branch_cleanups")
    .addColumn("run_id", "text", (col) => col.primaryKey())
    .addColumn("requests", "integer", (col) => col.notNull())
    .addColumn("done", "integer", (col) => col.notNull())
    .addColumn("updated_at", "bigint", (col) => col.notNull())
    .execute();
}
