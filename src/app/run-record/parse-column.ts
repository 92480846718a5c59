/**
 * The one way a JSON column of a run record becomes a typed value: parsed
 * with its zod schema where it is read, so the use cases get typed values,
 * never `JsonValue` to cast, and a column that does not hold what this
 * version reads fails with a typed error naming the column and the problem.
 */
import type { z } from "zod";
import type { JsonValue } from "../../runtime/types.js";
import { UnreadableRunRecordError, type RunColumn } from "../errors.js";

/** `value` parsed by `schema`; throws `UnreadableRunRecordError` with the first problem when it does not fit. */
export function parseColumn<T>(column: RunColumn, schema: z.ZodType<T>, value: JsonValue): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? column : `${column}.${issue.path.join(".")}`;
  throw new UnreadableRunRecordError(column, `${where}: ${issue?.message ?? "invalid"}`, { cause: parsed.error });
}

/** A typed value as a JSON column stores it (undefined fields dropped). */
export function toColumnJson(value: object): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}
