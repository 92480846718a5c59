/** JSON columns are text in both engines; these are the only places that convert. */

/** Serialises a value for a NOT NULL JSON column (`undefined` is stored as JSON `null`). */
export function toJson(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/** Serialises a value for a nullable JSON column: null and undefined become SQL NULL. */
export function toNullableJson(value: unknown): string | null {
  return value === null || value === undefined ? null : toJson(value);
}

/** Parses a JSON column; SQL NULL stays null. */
export function fromJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
