/**
 * Makes up a value that satisfies a JSON Schema, so a simulated agent can
 * answer any `agent(prompt, { schema })` call and the script keeps going the
 * way it would with real answers. Choices (enum members, booleans, numbers,
 * `oneOf` branches, array lengths) are drawn from the seed, so they differ
 * between agents, as real answers do (a vote is not always unanimous), and
 * repeat exactly for the same seed.
 *
 * The size of a value is clamped: a schema demanding `minItems: 2e8` or
 * `minLength: 4e8` gets a value no larger than the clamp, which then fails
 * the schema as a real answer would, instead of exhausting the host's
 * memory. Strings read like plain data, so a script cannot tell a simulated
 * answer from a real one by its wording.
 */
import { isObject, type JsonSchema, type JsonValue } from "../runtime/types.js";

export interface SynthesizeOptions {
  /**
   * Elements of every array (clamped to minItems/maxItems). When omitted, each
   * array's length is drawn from its bounds: 1 to 5 unless the schema says otherwise.
   */
  items?: number;
  /** Seed text of the value (e.g. the run's seed and the agent id): every choice is derived from it. */
  seed: string;
  /** Most array elements plus string characters in the whole value; default `MAX_SYNTHETIC_SIZE`. */
  maxSize?: number;
}

/** Array lengths drawn when `items` is not given. */
const DRAWN_ITEMS = { min: 1, max: 5 };
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
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[pick(options.seed, path, s.enum.length)] ?? null;
  for (const key of ["oneOf", "anyOf"] as const) {
    const branches = s[key];
    if (Array.isArray(branches) && branches.length > 0) {
      return synth(branches[pick(options.seed, `${path}|${key}`, branches.length)] as JsonSchema, options, path, depth + 1, root);
    }
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
      return synthNumber(s, type, options.seed, path);
    case "boolean":
      return pick(options.seed, path, 2) === 0;
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
    if (!isObject(node)) return schema;
    node = (node as SchemaObject)[part.replace(/~1/g, "/").replace(/~0/g, "~")] ?? null;
  }
  return isObject(node) ? (node as SchemaObject) : schema;
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
  const drawn = options.items ?? drawLength(min, max, options.seed, path);
  const wanted = Math.max(prefix.length, Math.min(Math.max(drawn, min), max));
  const itemSchema = (s.items ?? {}) as JsonSchema;
  const budget = budgetOf(options);
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

/** A number within the schema's bounds (1 to 10 where it sets none), integral for `integer`. */
function synthNumber(s: SchemaObject, type: "integer" | "number", seed: string, path: string): number {
  const step = type === "integer" ? 1 : 0.5;
  const lowBound = typeof s.minimum === "number" ? s.minimum : typeof s.exclusiveMinimum === "number" ? s.exclusiveMinimum + step : undefined;
  const highBound = typeof s.maximum === "number" ? s.maximum : typeof s.exclusiveMaximum === "number" ? s.exclusiveMaximum - step : undefined;
  let low = lowBound ?? (highBound === undefined ? 1 : Math.min(1, highBound));
  let high = highBound ?? Math.max(low, 10);
  if (type === "integer") {
    low = Math.ceil(low);
    high = Math.floor(high);
  }
  if (high < low) high = low;
  const multiple = typeof s.multipleOf === "number" && s.multipleOf > 0 ? s.multipleOf : undefined;
  if (multiple !== undefined) {
    const first = Math.ceil(low / multiple) * multiple;
    if (first > high) return low;
    return first + pick(seed, path, Math.floor((high - first) / multiple) + 1) * multiple;
  }
  if (type === "integer") return low + pick(seed, path, high - low + 1);
  return Math.min(high, Math.max(low, Math.round((low + unit(seed, path) * (high - low)) * 100) / 100));
}

/** An array length within `[min, max]`, near the drawn range. */
function drawLength(min: number, max: number, seed: string, path: string): number {
  const low = Math.max(min, Math.min(DRAWN_ITEMS.min, max));
  const high = Math.max(low, Math.min(max, Math.max(DRAWN_ITEMS.max, min)));
  return low + pick(seed, `${path}|length`, high - low + 1);
}

/** A whole number in `[0, n)` derived from the seed and the value's path. */
function pick(seed: string, path: string, n: number): number {
  return Math.min(n - 1, Math.floor(unit(seed, path) * n));
}

/** A number in `[0, 1)` derived from the seed and the value's path (FNV-1a, then one step of mulberry32). */
function unit(seed: string, path: string): number {
  let hash = 0x811c9dc5;
  const text = `${seed}\u0000${path}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  let t = (hash + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const FORMATS: Record<string, string> = {
  "date-time": "2026-01-01T00:00:00Z",
  date: "2026-01-01",
  email: "someone@example.com",
  uri: "https://example.com/",
  uuid: "00000000-0000-4000-8000-000000000000",
};

function synthString(s: SchemaObject, options: SynthesizeOptions, path: string): string {
  // Links differ between answers, and sometimes repeat, as real sources do: de-duplication has something to do.
  if (s.format === "uri" || s.format === "url") return `https://example.com/source/${pick(options.seed, path, 5) + 1}`;
  if (typeof s.format === "string" && FORMATS[s.format]) return FORMATS[s.format] as string;
  const budget = budgetOf(options);
  // The property's own name (keys come from the script: plain string operations, no pattern).
  const name = path.slice(path.lastIndexOf(".") + 1).split("[", 1)[0]?.slice(0, 40) || "value";
  const digest = (Math.floor(unit(options.seed, path) * 0x100000000) >>> 0).toString(16).padStart(8, "0");
  let text = `${name} ${digest}`;
  const min = typeof s.minLength === "number" ? Math.min(s.minLength, budget.left) : 0;
  const max = typeof s.maxLength === "number" ? s.maxLength : Infinity;
  if (text.length < min) text = text.padEnd(min, ` ${name} ${digest}`);
  text = text.slice(0, Math.max(min, Math.min(text.length, max)));
  budget.left -= text.length;
  return text;
}
