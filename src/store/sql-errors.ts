/**
 * Recognises the few driver errors the store handles, by their stable codes
 * (PostgreSQL SQLSTATE, better-sqlite3 extended result codes).
 */

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** A unique or primary key constraint refused the row. */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return code === "23505" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

/** SQLite's database is locked by another connection beyond the busy timeout. */
export function isBusyError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}
