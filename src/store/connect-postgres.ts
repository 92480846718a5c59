import { PostgresDialect } from "kysely";
import pg from "pg";
import type { Logger } from "pino";

/** Object id of PostgreSQL's `bigint` (int8) type. */
const INT8_OID = 20;

/**
 * A pool for the store. `bigint` columns come back as numbers, not strings:
 * they hold GitHub ids and millisecond times, all far below 2^53. The parser
 * is set on this pool only, never on pg's global type table.
 */
export function connectPostgres(url: string, options: { maxConnections: number; log: Pick<Logger, "warn"> }): PostgresDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID && format !== "binary" ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection emits on the pool; unhandled, that
  // would crash the process. The next query simply opens a new connection.
  pool.on("error", (error) => options.log.warn({ err: error }, "idle database connection failed"));
  return new PostgresDialect({ pool });
}
