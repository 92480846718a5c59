/**
 * Waiting for a repository's own CI (see docs/verification.md#ci).
 *
 * - `ci_waits`: one row per run whose consolidated branch waits for CI: the
 *   head commit the checks run on, the repair round, the deadline, and the
 *   state. A webhook about that commit bumps `signals` and queues the run's
 *   CI step; the step evaluates again while `signals` moved under it. No
 *   process is held while a row waits: the row is the wait.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("ci_waits")
    .addColumn("run_id", "text", (col) => col.primaryKey())
    .addColumn("installation_id", "bigint", (col) => col.notNull())
    .addColumn("owner", "text", (col) => col.notNull())
    .addColumn("repo", "text", (col) => col.notNull())
    .addColumn("branch", "text", (col) => col.notNull())
    .addColumn("head_sha", "text", (col) => col.notNull())
    .addColumn("round", "integer", (col) => col.notNull())
    .addColumn("state", "text", (col) => col.notNull())
    .addColumn("deadline", "bigint", (col) => col.notNull())
    .addColumn("signals", "integer", (col) => col.notNull())
    .addColumn("pr_number", "bigint")
    .addColumn("pr_node_id", "text")
    .addColumn("ready_when_green", "integer", (col) => col.notNull())
    .addColumn("settings", "text", (col) => col.notNull())
    .addColumn("history", "text", (col) => col.notNull())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addColumn("updated_at", "bigint", (col) => col.notNull())
    .execute();
  await db.schema.createIndex("ci_waits_head_idx").on("ci_waits").columns(["owner", "repo", "head_sha"]).execute();
  await db.schema.createIndex("ci_waits_state_idx").on("ci_waits").columns(["state", "deadline"]).execute();
}
