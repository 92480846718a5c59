/**
 * Migrations applied out of order: a database that ran a release with 0001
 * and 0003 must take 0002 when a later release brings it, on both engines.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kysely, sql, type Migration, type MigrationProvider } from "kysely";
import pg from "pg";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { connectPostgres } from "../../src/store/connect-postgres.js";
import { connectSqlite } from "../../src/store/connect-sqlite.js";
import { StoreMigrationError } from "../../src/store/errors.js";
import { migrateStore } from "../../src/store/migrate-store.js";
import { MIGRATION_NAMES } from "../../src/store/migrations/index.js";
import * as initialSchema from "../../src/store/migrations/0001-initial-schema.js";
import * as transcripts from "../../src/store/migrations/0003-transcripts.js";
import type { Database } from "../../src/store/schema.js";
import type { StoreEngine } from "../../src/store/types.js";

const log = pino({ level: "silent" });

/** A migration another feature ships as 0002: its own table only. */
const second: Migration = {
  up: async (db) => {
    await db.schema.createTable("second_feature").addColumn("id", "text", (col) => col.primaryKey()).execute();
  },
};

const provider = (migrations: Record<string, Migration>): MigrationProvider => ({ getMigrations: async () => ({ ...migrations }) });

async function applied(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by timestamp, name`.execute(db);
  return rows.map((row) => row.name);
}

function defineOrderTests(engine: StoreEngine, open: () => Promise<{ db: () => Kysely<Database>; dispose: () => Promise<void> }>) {
  describe(`${engine}: migrations out of order`, () => {
    it("applies 0002 to a database that already applied 0003, and keeps both features' tables", async () => {
      const target = await open();
      try {
        const first = target.db();
        expect(await migrateStore(first, engine, log, provider({ "0001-initial-schema": initialSchema, "0003-transcripts": transcripts }))).toEqual(["0001-initial-schema", "0003-transcripts"]);
        await first.destroy();

        const later = target.db();
        const ran = await migrateStore(later, engine, log, provider({ "0001-initial-schema": initialSchema, "0002-second": second, "0003-transcripts": transcripts }));
        expect(ran).toEqual(["0002-second"]);
        expect(await applied(later)).toEqual(["0001-initial-schema", "0003-transcripts", "0002-second"]);
        // Both features' tables are there and usable.
        await sql`insert into second_feature (id) values ('x')`.execute(later);
        await expect(later.selectFrom("run_controls").selectAll().execute()).resolves.toEqual([]);
        // Opening again changes nothing.
        expect(await migrateStore(later, engine, log, provider({ "0001-initial-schema": initialSchema, "0002-second": second, "0003-transcripts": transcripts }))).toEqual([]);
        await later.destroy();
      } finally {
        await target.dispose();
      }
    });

    it("still refuses a database that applied a migration this version does not know", async () => {
      const target = await open();
      try {
        const newer = target.db();
        await migrateStore(newer, engine, log, provider({ "0001-initial-schema": initialSchema, "0002-second": second }));
        await newer.destroy();
        const older = target.db();
        await expect(migrateStore(older, engine, log, provider({ "0001-initial-schema": initialSchema }))).rejects.toBeInstanceOf(StoreMigrationError);
        await older.destroy();
      } finally {
        await target.dispose();
      }
    });
  });
}

defineOrderTests("sqlite", async () => {
  const dir = await mkdtemp(join(tmpdir(), "dynflow-migrate-"));
  const path = join(dir, "d.db");
  return { db: () => new Kysely<Database>({ dialect: connectSqlite(path) }), dispose: () => rm(dir, { recursive: true, force: true }) };
});

describe("sqlite: a store that is up to date", () => {
  // Each command of the CLI opens the store: an up-to-date one is checked with one query, not a look at every table.
  it("is checked with one query, and a missing or unknown migration still goes to the migrator", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dynflow-migrate-"));
    const path = join(dir, "d.db");
    const queries: string[] = [];
    const open = () => new Kysely<Database>({ dialect: connectSqlite(path), log: (event) => void queries.push(event.query.sql) });
    try {
      const first = open();
      expect(await migrateStore(first, "sqlite", log, provider({ "0001-initial-schema": initialSchema }))).toEqual(["0001-initial-schema"]);
      await first.destroy();

      queries.length = 0;
      const again = open();
      expect(await migrateStore(again, "sqlite", log, provider({ "0001-initial-schema": initialSchema }))).toEqual([]);
      expect(queries).toEqual(["select name from \"kysely_migration\""]);
      // A release that brings a migration applies it; one that does not know an applied one refuses.
      expect(await migrateStore(again, "sqlite", log, provider({ "0001-initial-schema": initialSchema, "0002-second": second }))).toEqual(["0002-second"]);
      await expect(migrateStore(again, "sqlite", log, provider({ "0001-initial-schema": initialSchema }))).rejects.toBeInstanceOf(StoreMigrationError);
      await again.destroy();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const BASE_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const admin = new pg.Client({ connectionString: BASE_URL, connectionTimeoutMillis: 5000 });
const available = await admin.connect().then(
  () => true,
  () => false,
);
afterAll(async () => {
  if (available) await admin.end();
});

if (available || process.env.CI) {
  defineOrderTests("postgres", async () => {
    const schema = `dynflow_migrate_${randomBytes(4).toString("hex")}`;
    await admin.query(`create schema ${schema}`);
    const url = new URL(BASE_URL);
    url.searchParams.set("options", `-c search_path=${schema}`);
    return {
      db: () => new Kysely<Database>({ dialect: connectPostgres(url.toString(), { maxConnections: 2, log }) }),
      dispose: async () => void (await admin.query(`drop schema if exists ${schema} cascade`)),
    };
  });

  describe("postgres: processes that start at the same moment", () => {
    // Kysely creates its bookkeeping tables before it takes its own lock, so two fresh starts could both
    // create them; the store's own advisory lock makes the whole migration one process's at a time.
    it("migrates a fresh schema exactly once when many processes open it together", async () => {
      for (let round = 0; round < 3; round++) {
        const schema = `dynflow_migrate_${randomBytes(4).toString("hex")}`;
        await admin.query(`create schema ${schema}`);
        const url = new URL(BASE_URL);
        url.searchParams.set("options", `-c search_path=${schema}`);
        const dbs = Array.from({ length: 8 }, () => new Kysely<Database>({ dialect: connectPostgres(url.toString(), { maxConnections: 2, log }) }));
        try {
          const ran = await Promise.all(dbs.map((db) => migrateStore(db, "postgres", log)));
          // One process applied every migration; the others found nothing to do.
          expect(ran.filter((names) => names.length > 0)).toHaveLength(1);
          expect(ran.flat().sort()).toEqual([...MIGRATION_NAMES].sort());
          const { rows } = await admin.query<{ name: string }>(`select name from ${schema}.kysely_migration order by name`);
          expect(rows.map((row) => row.name)).toEqual([...MIGRATION_NAMES].sort());
        } finally {
          await Promise.all(dbs.map((db) => db.destroy()));
          await admin.query(`drop schema if exists ${schema} cascade`);
        }
      }
    }, 120_000);

    it("waits while another process holds the schema's migration lock, then migrates", async () => {
      const schema = `dynflow_migrate_${randomBytes(4).toString("hex")}`;
      await admin.query(`create schema ${schema}`);
      const url = new URL(BASE_URL);
      url.searchParams.set("options", `-c search_path=${schema}`);
      const key = `migrate-store:${schema}`;
      const holder = new pg.Client({ connectionString: BASE_URL });
      await holder.connect();
      const db = new Kysely<Database>({ dialect: connectPostgres(url.toString(), { maxConnections: 2, log }) });
      try {
        await holder.query("select pg_advisory_lock(hashtext('dynflow'), hashtext($1))", [key]);
        let finished = false;
        const migrating = migrateStore(db, "postgres", log).finally(() => (finished = true));
        const waiting = async () => {
          const { rows } = await admin.query("select 1 from pg_locks where locktype = 'advisory' and not granted and objid::int = hashtext($1)", [key]);
          return rows.length > 0;
        };
        // Poll for a state, never a duration: either the migration waits on the lock, or it (wrongly) finished.
        while (!finished && !(await waiting())) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(finished).toBe(false);
        const { rows } = await admin.query("select 1 from information_schema.tables where table_schema = $1", [schema]);
        expect(rows).toEqual([]);
        await holder.query("select pg_advisory_unlock(hashtext('dynflow'), hashtext($1))", [key]);
        expect(await migrating).toEqual([...MIGRATION_NAMES]);
      } finally {
        await holder.end();
        await db.destroy();
        await admin.query(`drop schema if exists ${schema} cascade`);
      }
    }, 120_000);

    it("tries again when a table it listed is dropped meanwhile (another schema of the database)", async () => {
      const schema = `dynflow_migrate_${randomBytes(4).toString("hex")}`;
      await admin.query(`create schema ${schema}`);
      const url = new URL(BASE_URL);
      url.searchParams.set("options", `-c search_path=${schema}`);
      const db = new Kysely<Database>({ dialect: connectPostgres(url.toString(), { maxConnections: 2, log }) });
      let calls = 0;
      const flaky: MigrationProvider = {
        getMigrations: async () => {
          if (++calls === 1) throw Object.assign(new Error('relation "other_tenant.runs" does not exist'), { code: "42P01" });
          return { "0001-initial-schema": initialSchema, "0003-transcripts": transcripts };
        },
      };
      try {
        expect(await migrateStore(db, "postgres", log, flaky)).toEqual(["0001-initial-schema", "0003-transcripts"]);
        expect(calls).toBe(2);
      } finally {
        await db.destroy();
        await admin.query(`drop schema if exists ${schema} cascade`);
      }
    }, 60_000);
  });
} else {
  console.warn(`postgres migration-order tests skipped: no PostgreSQL server answers at ${new URL(BASE_URL).host}`);
}
