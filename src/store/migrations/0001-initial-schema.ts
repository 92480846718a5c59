/**
 * The first schema. Column types are the ones both engines understand:
 * `bigint` (GitHub ids and millisecond times exceed 32 bits), `integer`,
 * `double precision`, and `text` for strings and JSON. Run ids are not
 * foreign keys in the other tables, so a local run can journal without a
 * GitHub run record.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("runs")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("installation_id", "bigint", (col) => col.notNull())
    .addColumn("owner", "text", (col) => col.notNull())
    .addColumn("repo", "text", (col) => col.notNull())
    .addColumn("issue_number", "integer")
    .addColumn("command_comment_id", "bigint")
    .addColumn("requester", "text")
    .addColumn("kind", "text", (col) => col.notNull())
    .addColumn("task", "text")
    .addColumn("workflow", "text")
    .addColumn("args", "text", (col) => col.notNull())
    .addColumn("base_ref", "text")
    .addColumn("base_sha", "text")
    .addColumn("status", "text", (col) => col.notNull())
    .addColumn("script", "text")
    .addColumn("plan", "text")
    .addColumn("limits", "text")
    .addColumn("status_comment_id", "bigint")
    .addColumn("check_run_id", "bigint")
    .addColumn("pr_number", "integer")
    .addColumn("result", "text")
    .addColumn("error", "text")
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addColumn("updated_at", "bigint", (col) => col.notNull())
    .addColumn("version", "integer", (col) => col.notNull())
    .execute();
  await db.schema.createIndex("runs_issue_idx").on("runs").columns(["owner", "repo", "issue_number", "created_at"]).execute();
  await db.schema.createIndex("runs_status_idx").on("runs").columns(["status", "created_at"]).execute();
  // One comment starts at most one run, even when two processes handle it.
  await db.schema.createIndex("runs_command_comment_idx").on("runs").column("command_comment_id").unique().execute();

  await db.schema
    .createTable("journal")
    .addColumn("run_id", "text", (col) => col.notNull())
    .addColumn("key", "text", (col) => col.notNull())
    .addColumn("seq", "integer", (col) => col.notNull())
    .addColumn("label", "text", (col) => col.notNull())
    .addColumn("output", "text", (col) => col.notNull())
    .addColumn("change", "text")
    .addColumn("usage", "text", (col) => col.notNull())
    .addColumn("cost_usd", "double precision", (col) => col.notNull())
    .addColumn("meta", "text", (col) => col.notNull())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addPrimaryKeyConstraint("journal_pk", ["run_id", "key"])
    .execute();

  await db.schema
    .createTable("run_events")
    .addColumn("run_id", "text", (col) => col.notNull())
    .addColumn("seq", "integer", (col) => col.notNull())
    .addColumn("event", "text", (col) => col.notNull())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addPrimaryKeyConstraint("run_events_pk", ["run_id", "seq"])
    .execute();

  await db.schema
    .createTable("deliveries")
    .addColumn("delivery_id", "text", (col) => col.primaryKey())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("received_at", "bigint", (col) => col.notNull())
    .execute();
  await db.schema.createIndex("deliveries_received_idx").on("deliveries").column("received_at").execute();

  await db.schema
    .createTable("leases")
    .addColumn("name", "text", (col) => col.primaryKey())
    .addColumn("holder", "text", (col) => col.notNull())
    .addColumn("expires_at", "bigint", (col) => col.notNull())
    .execute();

  await db.schema
    .createTable("schedules")
    .addColumn("installation_id", "bigint", (col) => col.notNull())
    .addColumn("owner", "text", (col) => col.notNull())
    .addColumn("repo", "text", (col) => col.notNull())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("cron", "text", (col) => col.notNull())
    .addColumn("timezone", "text", (col) => col.notNull())
    .addColumn("spec", "text", (col) => col.notNull())
    .addColumn("next_run_at", "bigint", (col) => col.notNull())
    .addColumn("last_run_at", "bigint")
    .addColumn("updated_at", "bigint", (col) => col.notNull())
    .addPrimaryKeyConstraint("schedules_pk", ["installation_id", "owner", "repo", "name"])
    .execute();
  await db.schema.createIndex("schedules_due_idx").on("schedules").column("next_run_at").execute();

  await db.schema
    .createTable("audit_issues")
    .addColumn("owner", "text", (col) => col.notNull())
    .addColumn("repo", "text", (col) => col.notNull())
    .addColumn("audit_name", "text", (col) => col.notNull())
    .addColumn("issue_number", "integer", (col) => col.notNull())
    .addColumn("fingerprints", "text", (col) => col.notNull())
    .addColumn("updated_at", "bigint", (col) => col.notNull())
    .addPrimaryKeyConstraint("audit_issues_pk", ["owner", "repo", "audit_name"])
    .execute();
}
