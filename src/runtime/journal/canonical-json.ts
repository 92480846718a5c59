/**
 * Canonical JSON: object keys sorted, `undefined` members dropped, so two
 * values that mean the same thing serialise to the same string whatever the
 * order their keys were written in. Used for content-derived keys (journal,
 * schema cache), never for display.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    // Keys such as `__proto__` must stay data, not set a prototype.
    if (member !== undefined) Object.defineProperty(sorted, key, { value: sortKeys(member), enumerable: true });
  }
  return sorted;
}
