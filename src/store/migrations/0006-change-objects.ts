/**
 * Worker changes that came to a run's owner as data (scaled out, see
 * src/queue/agents/share-changes.ts) rather than through GitHub.
 *
 * - `change_objects`: one row per such change of a run, its objects as JSON,
 *   kept until the run's branches are pushed, so whichever process takes the
 *   run over (with a clone of its own) writes them into its clone before the
 *   journal replays the agents that made them.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("change_objects")
    .addColumn("run_id", "text", (col) => col.notNull())
    .addColumn("commit_id", "text", (col) => col.notNull())
    .addColumn("branch", "text", (col) => col.notNull())
    .addColumn("objects", "text", (col) => col.notNull())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .addPrimaryKeyConstraint("change_objects_pk", ["run_id", "commit_id"])
    .execute();
}
