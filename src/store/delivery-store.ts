import type { Kysely } from "kysely";
import type { Clock } from "../time.js";
import type { Database } from "./schema.js";
import type { DeliveryStore } from "./types.js";

/**
 * The `deliveries` table: which webhook deliveries were already handled.
 * Insert-or-ignore on the primary key decides, never a read first, so two
 * processes receiving the same redelivery cannot both see it as new.
 */
export function createDeliveryStore(db: Kysely<Database>, clock: Clock): DeliveryStore {
  return {
    async record(deliveryId, name) {
      const inserted = await db
        .insertInto("deliveries")
        .values({ delivery_id: deliveryId, name, received_at: clock.now() })
        .onConflict((oc) => oc.column("delivery_id").doNothing())
        .returning("delivery_id")
        .executeTakeFirst();
      return inserted !== undefined;
    },

    async prune(before) {
      const result = await db.deleteFrom("deliveries").where("received_at", "<", before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
