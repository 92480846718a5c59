import type { Kysely } from "kysely";
import type { Clock } from "../time.js";
import type { Database } from "./schema.js";
import type { DeliveryClaim, DeliveryStore } from "./types.js";

/**
 * The `deliveries` table: which webhook deliveries were handled, or are
 * being handled and by whom. Insert-or-take-over on the primary key decides,
 * never a read first, so two processes receiving the same redelivery cannot
 * both see it as theirs; a claim that was never marked done (its process
 * died, its handler failed) is taken again once it expires or is given back.
 */
export function createDeliveryStore(db: Kysely<Database>, clock: Clock): DeliveryStore {
  async function claim(deliveryId: string, name: string, holder: string, ttlMs: number, tries = 2): Promise<DeliveryClaim> {
    const now = clock.now();
    const taken = await db
      .insertInto("deliveries")
      .values({ delivery_id: deliveryId, name, received_at: now, holder, claimed_until: now + ttlMs, done_at: null })
      .onConflict((oc) =>
        oc
          .column("delivery_id")
          .doUpdateSet((eb) => ({ holder: eb.ref("excluded.holder"), claimed_until: eb.ref("excluded.claimed_until") }))
          .where((eb) => eb.and([eb("deliveries.done_at", "is", null), eb("deliveries.holder", "is not", null), eb("deliveries.claimed_until", "<=", now)])),
      )
      .returning("delivery_id")
      .executeTakeFirst();
    if (taken !== undefined) return { state: "claimed" };
    const row = await db.selectFrom("deliveries").select(["holder", "claimed_until", "done_at"]).where("delivery_id", "=", deliveryId).executeTakeFirst();
    // Pruned between the two statements: claim it again.
    if (row === undefined) return tries > 1 ? claim(deliveryId, name, holder, ttlMs, tries - 1) : { state: "busy", holder: "", until: now };
    if (row.done_at !== null || row.holder === null) return { state: "done" };
    return { state: "busy", holder: row.holder, until: Number(row.claimed_until) };
  }

  return {
    async record(deliveryId, name) {
      const now = clock.now();
      const inserted = await db
        .insertInto("deliveries")
        .values({ delivery_id: deliveryId, name, received_at: now, holder: null, claimed_until: null, done_at: now })
        .onConflict((oc) => oc.column("delivery_id").doNothing())
        .returning("delivery_id")
        .executeTakeFirst();
      return inserted !== undefined;
    },

    claim: (deliveryId, name, holder, ttlMs) => claim(deliveryId, name, holder, ttlMs),

    async takeOver(deliveryId, from, to, ttlMs) {
      const result = await db
        .updateTable("deliveries")
        .set({ holder: to, claimed_until: clock.now() + ttlMs })
        .where("delivery_id", "=", deliveryId)
        .where("holder", "=", from)
        .where("done_at", "is", null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async renew(deliveryId, holder, ttlMs) {
      const result = await db
        .updateTable("deliveries")
        .set({ claimed_until: clock.now() + ttlMs })
        .where("delivery_id", "=", deliveryId)
        .where("holder", "=", holder)
        .where("done_at", "is", null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async complete(deliveryId, holder) {
      await db.updateTable("deliveries").set({ done_at: clock.now() }).where("delivery_id", "=", deliveryId).where("holder", "=", holder).execute();
    },

    async release(deliveryId, holder) {
      await db.updateTable("deliveries").set({ claimed_until: 0 }).where("delivery_id", "=", deliveryId).where("holder", "=", holder).where("done_at", "is", null).execute();
    },

    async prune(before) {
      const result = await db.deleteFrom("deliveries").where("received_at", "<", before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
