/**
 * Size in UTF-8 bytes of a JSON text when it is over `limit`, else undefined.
 * Every host call checks its values, so the common small value costs nothing
 * but a length comparison.
 */
export function jsonBytesOver(json: string, limit: number): number | undefined {
  // UTF-8 needs at least one and at most three bytes per UTF-16 unit.
  if (json.length * 3 <= limit) return undefined;
  const size = Buffer.byteLength(json, "utf8");
  return size > limit ? size : undefined;
}
