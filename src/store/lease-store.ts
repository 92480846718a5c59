import type { Kysely } from "kysely";
import type { Clock } from "../time.js";
import { StoreArgumentError } from "./errors.js";
import type { Database } from "./schema.js";
import type { LeaseStore } from "./types.js";

/**
 * The `leases` table: named, expiring ownership (e.g. of a run), so exactly
 * one process works on a thing at a time. A lease is held while now <
 * expires_at, by the injected clock of whoever asks; keep TTLs far above the
 * clock skew between machines.
 */
export function createLeaseStore(db: Kysely<Database>, clock: Clock): LeaseStore {
  return {
    async acquire(name, holder, ttlMs) {
      checkTtl(ttlMs);
      const now = clock.now();
      // Insert, or take over an expired row, in one statement: the database
      // decides between concurrent callers. Never re-entrant: a holder that
      // asks again while it holds the lease is refused like anyone else, so
      // one process cannot start the same work twice.
      const taken = await db
        .insertInto("leases")
        .values({ name, holder, expires_at: now + ttlMs })
        .onConflict((oc) =>
          oc
            .column("name")
            .doUpdateSet((eb) => ({ holder: eb.ref("excluded.holder"), expires_at: eb.ref("excluded.expires_at") }))
            .where("leases.expires_at", "<=", now),
        )
        .returning("name")
        .executeTakeFirst();
      return taken !== undefined;
    },

    async renew(name, holder, ttlMs) {
      checkTtl(ttlMs);
      const now = clock.now();
      const result = await db
        .updateTable("leases")
        .set({ expires_at: now + ttlMs })
        .where("name", "=", name)
        .where("holder", "=", holder)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async read(name) {
      const row = await db.selectFrom("leases").select(["holder", "expires_at"]).where("name", "=", name).executeTakeFirst();
      if (row === undefined || Number(row.expires_at) <= clock.now()) return undefined;
      return { holder: row.holder, expiresAt: Number(row.expires_at) };
    },

    async takeOver(name, from, to, ttlMs) {
      checkTtl(ttlMs);
      const result = await db
        .updateTable("leases")
        .set({ holder: to, expires_at: clock.now() + ttlMs })
        .where("name", "=", name)
        .where("holder", "=", from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async release(name, holder) {
      const result = await db.deleteFrom("leases").where("name", "=", name).where("holder", "=", holder).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new StoreArgumentError("ttlMs", `Expected \`ttlMs\` to be a whole number of milliseconds from 1 and up, got ${ttlMs}`);
  }
}
