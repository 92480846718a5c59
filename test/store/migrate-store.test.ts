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
} else {
  console.warn(`postgres migration-order tests skipped: no PostgreSQL server answers at ${new URL(BASE_URL).host}`);
}
