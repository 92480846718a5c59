/**
 * Deliveries are claimed, then done (see docs/storage.md).
 *
 * A delivery used to count as handled from the moment it was recorded, so a
 * process that died before the command's run or reply existed lost the
 * command for good. Now the process handling it holds a claim that it renews
 * (`holder`, `claimed_until`) and marks the delivery done (`done_at`) once
 * the run or the reply exists; a redelivery takes over a claim that expired
 * or was given back. Rows from before this migration have no holder: they
 * count as done.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("deliveries").addColumn("holder", "text").execute();
  await db.schema.alterTable("deliveries").addColumn("claimed_until", "bigint").execute();
  await db.schema.alterTable("deliveries").addColumn("done_at", "bigint").execute();
}
