import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { SqliteDialect, type SqliteDatabase } from "kysely";

/** Where the embedded deployment keeps its database unless told otherwise. */
export const DEFAULT_SQLITE_PATH = "./data/dynflow.db";

/** How long a writer waits for another process's write lock before failing. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating it and its directory when missing) a SQLite file for the
 * store: WAL so readers never block the writer, a busy timeout so a second
 * process waits for the write lock instead of failing at once.
 */
export function connectSqlite(path: string, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): SqliteDialect {
  const inMemory = path === ":memory:";
  const file = inMemory ? path : resolve(path);
  if (!inMemory) mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  try {
    database.pragma("journal_mode = WAL");
    database.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    // Durable at every checkpoint and safe against corruption in WAL mode; a
    // power loss may drop the last commits, which journal replay re-does.
    database.pragma("synchronous = NORMAL");
  } catch (error) {
    database.close();
    throw error;
  }
  return new SqliteDialect({ database: withStatementCache(database) });
}

/** Prepared statements kept per connection; queries with lists of varying length make more texts than this. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The database with its prepared statements kept by SQL text, least recently
 * used dropped first. Kysely prepares every query again, and compiling a
 * statement costs more than running most of the store's. SQLite prepares a
 * kept statement again by itself when a migration changed the schema. The
 * store never streams a query, so a kept statement is never still running
 * when it is used again.
 */
function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}
