import { DEFAULT_MIGRATION_TABLE, Migrator, sql, type Kysely, type MigrationProvider } from "kysely";
import type { Logger } from "pino";
import { StoreMigrationError } from "./errors.js";
import { migrationProvider } from "./migrations/index.js";
import type { Database } from "./schema.js";
import { isBusyError } from "./sql-errors.js";
import type { StoreEngine } from "./types.js";

/** Attempts when another process holds SQLite's write lock at the same moment. */
const BUSY_ATTEMPTS = 5;

/**
 * Brings the schema up to date; run on every start, a no-op when nothing is
 * new. On PostgreSQL, processes that start together take turns: the whole
 * migration holds an advisory lock per schema (Kysely's own lock covers only
 * applying migrations, not creating its bookkeeping tables). SQLite retries
 * when a concurrent start wins the write lock.
 *
 * Migrations may arrive out of order: numbers are handed out ahead of time
 * and each feature ships its own, so a database may have applied 0003 before
 * a release brings 0002. Each migration only adds its own tables, columns
 * and indexes and never reads or changes another's (see migrations/index.ts),
 * so any order gives the same schema; a missing earlier one is simply applied.
 * A database that applied a migration this version does not know (a newer
 * release's) still refuses to open.
 */
export async function migrateStore(db: Kysely<Database>, engine: StoreEngine, log: Pick<Logger, "info">, provider: MigrationProvider = migrationProvider): Promise<string[]> {
  if (engine === "sqlite") return (await upToDate(db, provider)) ? [] : migrate(db, engine, log, provider, undefined);
  const schema = await currentSchema(db);
  // Kysely creates its bookkeeping tables (and lists every table of the database to see whether they exist)
  // before it takes its own lock. Two processes starting together on one schema would race there, so the
  // whole migration holds a session lock of its own, per schema, on one connection.
  try {
    return await db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(hashtext('dynflow'), hashtext(${`migrate-store:${schema}`}))`.execute(conn);
      try {
        return await migrate(conn, engine, log, provider, schema);
      } finally {
        await sql`select pg_advisory_unlock(hashtext('dynflow'), hashtext(${`migrate-store:${schema}`}))`.execute(conn);
      }
    });
  } catch (error) {
    if (error instanceof StoreMigrationError) throw error;
    throw new StoreMigrationError(engine, null, error);
  }
}

async function migrate(db: Kysely<Database>, engine: StoreEngine, log: Pick<Logger, "info">, provider: MigrationProvider, schema: string | undefined): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    allowUnorderedMigrations: true,
    // Kysely looks for its bookkeeping tables in every schema unless told
    // which one, so a second dynflow schema in the same database would find
    // the first one's tables and skip creating its own.
    migrationTableSchema: schema,
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results = [] } = await migrator.migrateToLatest();
    const failed = results.find((result) => result.status === "Error");
    if (error === undefined) {
      const applied = results.filter((result) => result.status === "Success").map((result) => result.migrationName);
      if (applied.length > 0) log.info({ engine, applied }, "store schema migrated");
      return applied;
    }
    if (engine === "sqlite" && isBusyError(error) && attempt < BUSY_ATTEMPTS) continue;
    // Kysely's listing of every table of the database fails when another schema is dropped meanwhile.
    if (engine === "postgres" && failed === undefined && isDroppedMeanwhile(error) && attempt < BUSY_ATTEMPTS) continue;
    throw new StoreMigrationError(engine, failed?.migrationName ?? null, error);
  }
}

/**
 * Whether the database has applied exactly the migrations this version has:
 * then there is nothing to do, and no need for Kysely's look at every table
 * (each command of the CLI opens the store). Anything else (a new database,
 * a missing migration, one this version does not know) goes to the migrator.
 * Kysely records a migration's name once the migration has run.
 */
async function upToDate(db: Kysely<Database>, provider: MigrationProvider): Promise<boolean> {
  let rows: { name: string }[];
  try {
    ({ rows } = await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db));
  } catch {
    return false;
  }
  const known = new Set(Object.keys(await provider.getMigrations()));
  return rows.length === known.size && rows.every((row) => known.has(row.name));
}

/** PostgreSQL's "undefined table" and "invalid schema name": a relation listed a moment ago is gone. */
function isDroppedMeanwhile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "42P01" || code === "3F000";
}

/** The schema unqualified names resolve to: where the store's tables live. */
async function currentSchema(db: Kysely<Database>): Promise<string> {
  let schema: string | null | undefined;
  try {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    schema = rows[0]?.schema;
  } catch (error) {
    // The first query of the store: an unreachable server fails here.
    throw new StoreMigrationError("postgres", null, error);
  }
  // current_schema() is null when no schema on the search_path exists.
  if (!schema) throw new StoreMigrationError("postgres", null, new Error("no schema on the search_path exists"));
  return schema;
}
