/**
 * The simple constraints of a schema and its `allOf` branches, merged into one
 * view: allowed types, numeric bounds, size bounds. All of them must hold at
 * once, so the tightest bound wins and types intersect. Each bound remembers
 * where it came from, for error messages.
 */

/** A schema object as found in a document (nothing checked yet). */
export type SchemaObject = { [key: string]: unknown };

/** Either a concrete JSON type or a non-integer number, so `number` = integer + fraction. */
type Atom = "null" | "boolean" | "object" | "array" | "string" | "integer" | "fraction";

export interface Bound {
  keyword: string;
  value: number;
  exclusive: boolean;
  /** JSON pointer of the schema that declared it. */
  at: string;
}

export interface MergedConstraints {
  /** Allowed types; undefined when nothing restricts them. */
  types: Set<Atom> | undefined;
  /** Where the type restriction last narrowed, for messages. */
  typeAt: string;
  lower?: Bound;
  upper?: Bound;
  /** `minLength`/`maxLength`, `minItems`/`maxItems`, ... by keyword. */
  sizes: Map<string, Bound>;
  /** Required property names with the pointer that required them. */
  required: Map<string, string>;
  /** Regular expressions strings must match. */
  patterns: string[];
}

const ATOMS_OF: Record<string, Atom[]> = {
  null: ["null"],
  boolean: ["boolean"],
  object: ["object"],
  array: ["array"],
  string: ["string"],
  integer: ["integer"],
  number: ["integer", "fraction"],
};

/** Atoms a `type` keyword allows; undefined when it is absent or unreadable. */
export function typeAtoms(type: unknown): Set<Atom> | undefined {
  const names = typeof type === "string" ? [type] : Array.isArray(type) ? type : undefined;
  // An unknown type name makes the schema invalid, which is not ours to report.
  if (!names || !names.every((name) => typeof name === "string" && Object.hasOwn(ATOMS_OF, name))) return undefined;
  return new Set(names.flatMap((name) => ATOMS_OF[name as string] ?? []));
}

/** `"string"`, `"integer" or "string"`, ... */
export function describeTypes(types: Set<Atom>): string {
  const names: string[] = [...types].filter((t) => t !== "fraction" && !(t === "integer" && types.has("fraction")));
  if (types.has("fraction")) names.push("number");
  return names.length === 0 ? "no type" : names.sort().map((n) => `"${n}"`).join(" or ");
}

/** True when `kind` ("number" covers both numeric atoms) is allowed. */
export function allows(merged: MergedConstraints, kind: "number" | "string" | "array" | "object"): boolean {
  if (!merged.types) return true;
  return kind === "number" ? merged.types.has("integer") || merged.types.has("fraction") : merged.types.has(kind);
}

export const SIZE_PAIRS = [
  { min: "minLength", max: "maxLength", kind: "string" },
  { min: "minItems", max: "maxItems", kind: "array" },
  { min: "minProperties", max: "maxProperties", kind: "object" },
  { min: "minContains", max: "maxContains", kind: "array" },
] as const;

/**
 * Merges `parts` (a schema and its `allOf` branches, with their pointers).
 * Returns the merged view, or the reason the types already exclude each other.
 */
export function mergeConstraints(parts: { schema: SchemaObject; at: string }[]): MergedConstraints | { typeConflict: string } {
  const merged: MergedConstraints = { types: undefined, typeAt: "", sizes: new Map(), required: new Map(), patterns: [] };
  for (const { schema, at } of parts) {
    const types = typeAtoms(schema["type"]);
    if (types) {
      const before = merged.types;
      merged.types = before ? new Set([...before].filter((t) => types.has(t))) : types;
      if (merged.types.size === 0) {
        const reason =
          types.size === 0
            ? `type ${JSON.stringify(schema["type"])}${where(at, parts)} allows no type`
            : `type ${describeTypes(types)}${where(at, parts)} and type ${describeTypes(before ?? new Set())}${where(merged.typeAt, parts)} have no type in common`;
        return { typeConflict: reason };
      }
      merged.typeAt = at;
    }
    tighten(merged, "lower", bound(schema, "minimum", false, at), bound(schema, "exclusiveMinimum", true, at));
    tighten(merged, "upper", bound(schema, "maximum", false, at), bound(schema, "exclusiveMaximum", true, at));
    for (const pair of SIZE_PAIRS) {
      const min = bound(schema, pair.min, false, at);
      const max = bound(schema, pair.max, false, at);
      const currentMin = merged.sizes.get(pair.min);
      const currentMax = merged.sizes.get(pair.max);
      if (min && (!currentMin || min.value > currentMin.value)) merged.sizes.set(pair.min, min);
      if (max && (!currentMax || max.value < currentMax.value)) merged.sizes.set(pair.max, max);
    }
    const required = schema["required"];
    if (Array.isArray(required)) {
      for (const key of required) if (typeof key === "string" && !merged.required.has(key)) merged.required.set(key, at);
    }
    if (typeof schema["pattern"] === "string") merged.patterns.push(schema["pattern"]);
  }
  return merged;
}

function bound(schema: SchemaObject, keyword: string, exclusive: boolean, at: string): Bound | undefined {
  const value = schema[keyword];
  return typeof value === "number" && Number.isFinite(value) ? { keyword, value, exclusive, at } : undefined;
}

function tighten(merged: MergedConstraints, side: "lower" | "upper", ...candidates: (Bound | undefined)[]): void {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const current = merged[side];
    const tighter =
      !current ||
      (side === "lower" ? candidate.value > current.value : candidate.value < current.value) ||
      (candidate.value === current.value && candidate.exclusive && !current.exclusive);
    if (tighter) merged[side] = candidate;
  }
}

/** ` (at /allOf/1)` when the merge spans several schemas, else nothing. */
export function where(at: string, parts: { at: string }[]): string {
  return parts.length > 1 ? ` (at ${at === "" ? "the root" : at})` : "";
}
