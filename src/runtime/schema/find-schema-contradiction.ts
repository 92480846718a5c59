import { isObject, type JsonSchema } from "../types.js";
import { canonicalJson } from "../journal/canonical-json.js";
import { compilePattern, valueViolation } from "./check-value.js";
import { allows, mergeConstraints, SIZE_PAIRS, where, type MergedConstraints, type SchemaObject } from "./merge-constraints.js";
import { describeSchemaPath } from "./schema-errors.js";

/** A proof that a (sub)schema accepts no value. */
export interface SchemaContradiction {
  /** JSON pointer of the subschema; `""` is the root. */
  path: string;
  reason: string;
}

/** Subschemas nested below this depth are not examined (documents are trees; this only bounds work). */
const MAX_DEPTH = 64;

/** Keywords whose value is one subschema that need not be satisfiable for the whole to be. */
const OPTIONAL_SUBSCHEMA = ["additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems"];
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAPS = ["patternProperties", "dependentSchemas", "$defs", "definitions"];

/**
 * Message for the first contradiction found in `schema`, e.g.
 * `schema at /properties/result: "summary" is required but additionalProperties: false rules it out`,
 * or null when none can be proved. Never throws, whatever the input.
 */
export function findSchemaContradiction(schema: JsonSchema): string | null {
  const found = detectSchemaContradiction(schema);
  return found ? `${describeSchemaPath(found.path)}: ${found.reason}` : null;
}

/**
 * Looks for constraints in a schema that exclude each other, so that no agent
 * output could ever pass. Conflicting keyword pairs (`minimum` above
 * `maximum`, an `enum` of the wrong type, ...) are reported wherever they
 * appear, even in an optional property, because they are always a mistake. A
 * literal `false` subschema is only reported where a value is required (the
 * root, a required property, an `allOf` branch, an item `minItems` demands):
 * elsewhere `false` is the normal way to forbid something.
 */
export function detectSchemaContradiction(schema: unknown): SchemaContradiction | null {
  if (schema === false) return { path: "", reason: "the schema is `false`, which accepts no value" };
  return checkSchema(schema, "", 0);
}

function checkSchema(schema: unknown, path: string, depth: number): SchemaContradiction | null {
  if (!isObject(schema) || depth > MAX_DEPTH) return null;
  const parts = [{ schema, at: path }];
  const allOf = Array.isArray(schema["allOf"]) ? schema["allOf"] : [];
  for (const [i, branch] of allOf.entries()) {
    if (branch === false) return { path: `${path}/allOf/${i}`, reason: "an allOf branch is `false`, which accepts no value" };
    if (isObject(branch)) parts.push({ schema: branch, at: `${path}/allOf/${i}` });
  }
  const merged = mergeConstraints(parts);
  if ("typeConflict" in merged) return { path, reason: merged.typeConflict };
  const reason = boundsConflict(merged, parts) ?? objectConflict(merged, parts) ?? arrayConflict(merged, parts) ?? valuesConflict(parts, merged);
  if (reason) return { path, reason };
  return checkChildren(schema, path, depth);
}

function boundsConflict(merged: MergedConstraints, parts: { at: string }[]): string | null {
  const { lower, upper } = merged;
  if (lower && upper && allows(merged, "number")) {
    const l = `${lower.keyword} ${lower.value}${where(lower.at, parts)}`;
    const u = `${upper.keyword} ${upper.value}${where(upper.at, parts)}`;
    if (lower.value > upper.value) return `${l} is greater than ${u}`;
    if (lower.value === upper.value && (lower.exclusive || upper.exclusive)) return `${l} and ${u} leave no number between them`;
    // Only when integers are all the schema allows: with strings also allowed, say, values remain.
    const onlyIntegers = merged.types?.size === 1 && merged.types.has("integer");
    const lowest = lower.exclusive ? Math.floor(lower.value) + 1 : Math.ceil(lower.value);
    const highest = upper.exclusive ? Math.ceil(upper.value) - 1 : Math.floor(upper.value);
    if (onlyIntegers && lowest > highest) return `no integer satisfies both ${l} and ${u}`;
  }
  for (const pair of SIZE_PAIRS) {
    const min = merged.sizes.get(pair.min);
    const max = merged.sizes.get(pair.max);
    if (min && max && min.value > max.value && allows(merged, pair.kind)) {
      return `${pair.min} ${min.value}${where(min.at, parts)} is greater than ${pair.max} ${max.value}${where(max.at, parts)}`;
    }
  }
  return null;
}

function objectConflict(merged: MergedConstraints, parts: { schema: SchemaObject; at: string }[]): string | null {
  if (!allows(merged, "object")) return null;
  const maxProperties = merged.sizes.get("maxProperties");
  if (maxProperties && merged.required.size > maxProperties.value) {
    return `${merged.required.size} properties are required but maxProperties is ${maxProperties.value}${where(maxProperties.at, parts)}`;
  }
  for (const key of merged.required.keys()) {
    for (const { schema, at } of parts) {
      const properties = isObject(schema["properties"]) ? schema["properties"] : {};
      if (Object.hasOwn(properties, key)) {
        if (properties[key] === false) return `"${key}" is required but its schema${where(at, parts)} is \`false\``;
        continue;
      }
      const patterns = isObject(schema["patternProperties"]) ? Object.entries(schema["patternProperties"]) : [];
      // An unreadable pattern proves nothing, so it counts as matching.
      const matching = patterns.filter(([pattern]) => compilePattern(pattern)?.test(key) ?? true);
      const forbidding = matching.find(([, sub]) => sub === false);
      if (forbidding) return `"${key}" is required but patternProperties ${JSON.stringify(forbidding[0])}${where(at, parts)} is \`false\``;
      if (matching.length === 0 && schema["additionalProperties"] === false) {
        return `"${key}" is required but additionalProperties: false${where(at, parts)} rules it out`;
      }
    }
  }
  return null;
}

function arrayConflict(merged: MergedConstraints, parts: { schema: SchemaObject; at: string }[]): string | null {
  const minItems = merged.sizes.get("minItems")?.value ?? 0;
  if (!allows(merged, "array") || minItems === 0) return null;
  for (const { schema, at } of parts) {
    // Draft 2020-12 writes tuples as prefixItems + items; draft-07 as items[] + additionalItems.
    const tupleKeyword = Array.isArray(schema["prefixItems"]) ? "prefixItems" : Array.isArray(schema["items"]) ? "items" : null;
    const prefix = tupleKeyword ? (schema[tupleKeyword] as unknown[]) : [];
    const restKeyword = tupleKeyword === "items" ? "additionalItems" : "items";
    const forbidden = prefix.findIndex((item, i) => item === false && i < minItems);
    if (tupleKeyword && forbidden >= 0) {
      return `minItems ${minItems} requires item ${forbidden}, but ${tupleKeyword}/${forbidden}${where(at, parts)} is \`false\``;
    }
    if (schema[restKeyword] === false && minItems > prefix.length) {
      return `minItems ${minItems} is more than the ${prefix.length} item(s) ${restKeyword}: false${where(at, parts)} allows`;
    }
  }
  return null;
}

function valuesConflict(parts: { schema: SchemaObject; at: string }[], merged: MergedConstraints): string | null {
  let candidates: unknown[] | undefined;
  const lists = parts.flatMap(({ schema, at }) => [
    ...(Object.hasOwn(schema, "const") ? [{ keyword: "const", listed: [schema["const"]], at }] : []),
    ...(Array.isArray(schema["enum"]) ? [{ keyword: "enum", listed: schema["enum"] as unknown[], at }] : []),
  ]);
  for (const { keyword, listed, at } of lists) {
    if (listed.length === 0) return `enum: []${where(at, parts)} allows no value`;
    if (candidates) {
      const allowed = new Set(listed.map((v) => canonicalJson(v)));
      candidates = candidates.filter((v) => allowed.has(canonicalJson(v)));
      const first = lists[0] as (typeof lists)[number];
      if (candidates.length === 0) {
        return `${keyword} ${show(keyword, listed)}${where(at, parts)} shares no value with ${first.keyword} ${show(first.keyword, first.listed)}${where(first.at, parts)}`;
      }
    } else {
      candidates = listed;
    }
  }
  if (!candidates) return null;
  const violations = candidates.map((value) => valueViolation(value, merged));
  if (violations.some((v) => v === null)) return null;
  const shown = violations.slice(0, 3).join("; ") + (violations.length > 3 ? `; and ${violations.length - 3} more` : "");
  return candidates.length === 1 ? `the only allowed value is ruled out: ${shown}` : `no enum value is allowed: ${shown}`;
}

/** Contradictions inside subschemas. */
function checkChildren(schema: SchemaObject, path: string, depth: number): SchemaContradiction | null {
  const below = (sub: unknown, subPath: string) => checkSchema(sub, subPath, depth + 1);
  const properties = isObject(schema["properties"]) ? schema["properties"] : {};
  for (const [key, sub] of Object.entries(properties)) {
    const found = below(sub, `${path}/properties/${escapePointer(key)}`);
    if (found) return found;
  }
  for (const keyword of ["items", "prefixItems", "allOf", "anyOf", "oneOf"]) {
    const value = schema[keyword];
    if (isObject(value)) {
      const found = below(value, `${path}/${keyword}`);
      if (found) return found;
    } else if (Array.isArray(value)) {
      for (const [i, sub] of value.entries()) {
        const found = below(sub, `${path}/${keyword}/${i}`);
        if (found) return found;
      }
      if ((keyword === "anyOf" || keyword === "oneOf") && value.length > 0 && value.every((sub) => sub === false)) {
        return { path, reason: `every ${keyword} branch is \`false\`, so no value matches` };
      }
    }
  }
  for (const keyword of OPTIONAL_SUBSCHEMA) {
    const found = below(schema[keyword], `${path}/${keyword}`);
    if (found) return found;
  }
  for (const keyword of SUBSCHEMA_MAPS) {
    const map = isObject(schema[keyword]) ? schema[keyword] : {};
    for (const [key, sub] of Object.entries(map)) {
      const found = below(sub, `${path}/${keyword}/${escapePointer(key)}`);
      if (found) return found;
    }
  }
  return null;
}

function show(keyword: string, listed: unknown[]): string {
  const text = JSON.stringify(keyword === "const" ? listed[0] : listed) ?? "undefined";
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}


function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
