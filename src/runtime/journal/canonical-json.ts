/**
 * Canonical JSON (RFC 8785, the JSON Canonicalization Scheme) through the
 * `canonicalize` package: object keys sorted by UTF-16 code units at every
 * depth, `undefined` members dropped, numbers and strings as ECMAScript writes
 * them, so two values that mean the same thing serialise to the same string
 * whatever the order their keys were written in. Used for content-derived keys
 * (journal, schema cache), never for display.
 *
 * What RFC 8785 refuses, and a key must still be computed for, is made
 * representable first, as `JSON.stringify` would: `NaN` and infinities become
 * `null`, lone UTF-16 surrogates become U+FFFD.
 */
import canonicalize from "canonicalize";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function canonicalJson(value: unknown): string {
  try {
    return canonicalize(value) ?? "null";
  } catch (error) {
    if (error instanceof Error && /circular/i.test(error.message)) throw error;
    // Rare: values RFC 8785 has no spelling for. JSON's own rules make them representable.
    const representable: unknown = JSON.parse(JSON.stringify(value) ?? "null", (_key, item: unknown) =>
      typeof item === "string" ? item.replace(LONE_SURROGATE, "\uFFFD") : item,
    );
    return canonicalize(representable) ?? "null";
  }
}
