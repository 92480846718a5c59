/**
 * Makes up a value that satisfies a JSON Schema, so a simulated agent can
 * answer any `agent(prompt, { schema })` call and the script keeps going the
 * way it would with real answers.
 *
 * The size of a value is clamped: a schema demanding `minItems: 2e8` or
 * `minLength: 4e8` gets a value no larger than a model could write in one
 * answer, which then fails the schema as a real answer would, instead of
 * exhausting the host's memory. Strings read like plain data, so a script
 * cannot tell a simulated answer from a real one by its wording.
 */
import type { JsonSchema, JsonValue } from "../runtime/types.js";

export interface SynthesizeOptions {
  /** Elements generated for every array (clamped to minItems/maxItems). */
  items: number;
  /** Seed text mixed into strings so sibling values differ (e.g. the agent's key). */
  seed: string;
  /** Most array elements plus string characters in the whole value; default `MAX_SYNTHETIC_SIZE`. */
  maxSize?: number;
}

/** Elements plus characters of one value: far more than a plan's estimate needs, little enough to make at once. */
export const MAX_SYNTHETIC_SIZE = 16 * 1024;
/** Distinct elements of a long array; the rest repeat them (an estimate needs the length, not the variety). */
const DISTINCT_ITEMS = 64;

type SchemaObject = { [key: string]: JsonValue };
type Budget = { left: number };

const MAX_DEPTH = 12;

/** A value valid against `schema` (for the schemas scripts write in practice), within the size clamp. */
export function synthesizeValue(schema: JsonSchema, options: SynthesizeOptions): JsonValue {
  budgets.set(options, { left: options.maxSize ?? MAX_SYNTHETIC_SIZE });
  return synth(schema, options, "", 0, schema);
}

/** The size left for one `synthesizeValue` call, shared by the per-element copies of its options. */
const budgets = new WeakMap<SynthesizeOptions, Budget>();
function budgetOf(options: SynthesizeOptions): Budget {
  let budget = budgets.get(options);
  if (!budget) {
    budget = { left: options.maxSize ?? MAX_SYNTHETIC_SIZE };
    budgets.set(options, budget);
  }
  return budget;
}

function synth(schema: JsonSchema, options: SynthesizeOptions, path: string, depth: number, root: JsonSchema): JsonValue {
  if (schema === true || schema === false || depth > MAX_DEPTH) return null;
  const s = resolveRef(schema, root);
  if ("const" in s) return s.const ?? null;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0] ?? null;
  for (const key of ["oneOf", "anyOf"] as const) {
    const branches = s[key];
    if (Array.isArray(branches) && branches.length > 0) return synth(branches[0] as JsonSchema, options, path, depth + 1, root);
  }
  if (Array.isArray(s.allOf)) {
    const merged: SchemaObject = { ...s };
    delete merged.allOf;
    for (const part of s.allOf) Object.assign(merged, mergeSchema(merged, part as SchemaObject));
    return synth(merged, options, path, depth + 1, root);
  }
  const type = pickType(s);
  switch (type) {
    case "object":
      return synthObject(s, options, path, depth, root);
    case "array":
      return synthArray(s, options, path, depth, root);
    case "integer":
    case "number":
      return synthNumber(s, type);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return synthString(s, options, path);
  }
}

function resolveRef(schema: SchemaObject, root: JsonSchema): SchemaObject {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/") || typeof root !== "object") return schema;
  let node: JsonValue = root as SchemaObject;
  for (const part of ref.slice(2).split("/")) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return schema;
    node = (node as SchemaObject)[part.replace(/~1/g, "/").replace(/~0/g, "~")] ?? null;
  }
  return node !== null && typeof node === "object" && !Array.isArray(node) ? (node as SchemaObject) : schema;
}

function mergeSchema(a: SchemaObject, b: SchemaObject): SchemaObject {
  const properties = { ...(a.properties as SchemaObject | undefined), ...(b.properties as SchemaObject | undefined) };
  const required = [...new Set([...((a.required as string[]) ?? []), ...((b.required as string[]) ?? [])])];
  return { ...a, ...b, properties, required };
}

function pickType(s: SchemaObject): string {
  const type = s.type;
  if (typeof type === "string") return type;
  if (Array.isArray(type) && type.length > 0) return String(type.find((t) => t !== "null") ?? type[0]);
  if (s.properties || s.required) return "object";
  if (s.items || s.prefixItems) return "array";
  return "string";
}

function synthObject(s: SchemaObject, options: SynthesizeOptions, path: string, depth: number, root: JsonSchema): JsonValue {
  const out: { [key: string]: JsonValue } = {};
  const properties = (s.properties ?? {}) as { [key: string]: JsonSchema };
  for (const [key, sub] of Object.entries(properties)) out[key] = synth(sub, options, `${path}.${key}`, depth + 1, root);
  for (const key of (s.required as string[] | undefined) ?? []) {
    if (!(key in out)) out[key] = synth(typeof s.additionalProperties === "object" ? (s.additionalProperties as JsonSchema) : {}, options, `${path}.${key}`, depth + 1, root);
  }
  return out;
}

function synthArray(s: SchemaObject, options: SynthesizeOptions, path: string, depth: number, root: JsonSchema): JsonValue {
  const min = typeof s.minItems === "number" ? s.minItems : 0;
  const max = typeof s.maxItems === "number" ? s.maxItems : Infinity;
  const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as JsonSchema[]) : [];
  const budget = budgetOf(options);
  const wanted = Math.max(prefix.length, Math.min(Math.max(options.items, min), max));
  const itemSchema = (s.items ?? {}) as JsonSchema;
  const out: JsonValue[] = [];
  /** What each distinct element cost, so a repeat costs the same (it is as large once serialised). */
  const costs: number[] = [];
  for (let i = 0; i < wanted && budget.left > 0; i++) {
    const repeatOf = i >= prefix.length + DISTINCT_ITEMS ? ((i - prefix.length) % DISTINCT_ITEMS) + prefix.length : -1;
    if (repeatOf >= 0) {
      const cost = costs[repeatOf] ?? 1;
      if (cost > budget.left) break;
      budget.left -= cost;
      out.push(out[repeatOf] ?? null);
      continue;
    }
    const before = budget.left;
    budget.left -= 1;
    const itemOptions = { ...options, seed: `${options.seed}-${i + 1}` };
    budgets.set(itemOptions, budget);
    out.push(synth(prefix[i] ?? itemSchema, itemOptions, `${path}[${i}]`, depth + 1, root));
    costs.push(before - budget.left);
  }
  return out;
}

function synthNumber(s: SchemaObject, type: "integer" | "number"): number {
  let value = 1;
  if (typeof s.minimum === "number") value = Math.max(value, s.minimum);
  if (typeof s.exclusiveMinimum === "number") value = Math.max(value, s.exclusiveMinimum + 1);
  if (typeof s.maximum === "number") value = Math.min(value, s.maximum);
  if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) value = s.exclusiveMaximum - (type === "integer" ? 1 : 0.5);
  return type === "integer" ? Math.ceil(value) : value;
}

const FORMATS: Record<string, string> = {
  "date-time": "2026-01-01T00:00:00Z",
  date: "2026-01-01",
  email: "someone@example.com",
  uri: "https://example.com/",
  uuid: "00000000-0000-4000-8000-000000000000",
};

function synthString(s: SchemaObject, options: SynthesizeOptions, path: string): string {
  if (typeof s.format === "string" && FORMATS[s.format]) return FORMATS[s.format] as string;
  const budget = budgetOf(options);
  // The property's own name (keys come from the script: plain string operations, no pattern).
  const name = path.slice(path.lastIndexOf(".") + 1).split("[", 1)[0]?.slice(0, 40) || "value";
  const digest = fnv1a(`${options.seed}\0${path}`);
  let text = `${name} ${digest}`;
  const min = typeof s.minLength === "number" ? Math.min(s.minLength, budget.left) : 0;
  const max = typeof s.maxLength === "number" ? s.maxLength : Infinity;
  if (text.length < min) text = text.padEnd(min, ` ${name} ${digest}`);
  text = text.slice(0, Math.max(min, Math.min(text.length, max)));
  budget.left -= text.length;
  return text;
}

/** A short, stable hex digest (FNV-1a, 32 bits): cheap enough for every string of a large value. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}
