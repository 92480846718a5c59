import { compileLinearRegex, type LinearRegex } from "../../patterns/index.js";
import { allows, describeTypes, type MergedConstraints } from "./merge-constraints.js";

/**
 * Why `value` cannot satisfy the merged constraints, or null when it can (as
 * far as these simple keywords tell). Used to prove that no `enum`/`const`
 * value is acceptable.
 */
export function valueViolation(value: unknown, merged: MergedConstraints): string | null {
  const show = JSON.stringify(value);
  const kind = jsonKind(value);
  if (merged.types) {
    const ok = kind === "number" ? merged.types.has("fraction") || (Number.isInteger(value) && merged.types.has("integer")) : merged.types.has(kind);
    if (!ok) return `${show} is not of type ${describeTypes(merged.types)}`;
  }
  if (kind === "number" && allows(merged, "number")) {
    const n = value as number;
    for (const bound of [merged.lower, merged.upper]) {
      if (!bound) continue;
      const below = bound === merged.lower;
      const fails = below ? (bound.exclusive ? n <= bound.value : n < bound.value) : bound.exclusive ? n >= bound.value : n > bound.value;
      if (fails) return `${show} fails ${bound.keyword} ${bound.value}`;
    }
  }
  const size = kind === "string" ? [...(value as string)].length : kind === "array" ? (value as unknown[]).length : kind === "object" ? Object.keys(value as object).length : null;
  if (size !== null) {
    const [minKeyword, maxKeyword] = kind === "string" ? ["minLength", "maxLength"] : kind === "array" ? ["minItems", "maxItems"] : ["minProperties", "maxProperties"];
    const min = merged.sizes.get(minKeyword as string);
    const max = merged.sizes.get(maxKeyword as string);
    if (min && size < min.value) return `${show} fails ${min.keyword} ${min.value}`;
    if (max && size > max.value) return `${show} fails ${max.keyword} ${max.value}`;
  }
  if (kind === "string") {
    for (const pattern of merged.patterns) {
      const regex = compilePattern(pattern);
      if (regex && !regex.test(value as string)) return `${show} does not match pattern ${JSON.stringify(pattern)}`;
    }
  }
  if (kind === "object") {
    for (const key of merged.required.keys()) {
      if (!Object.hasOwn(value as object, key)) return `${show} lacks the required property "${key}"`;
    }
  }
  return null;
}

function jsonKind(value: unknown): "null" | "boolean" | "number" | "string" | "array" | "object" {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const type = typeof value;
  return type === "boolean" || type === "number" || type === "string" ? type : "object";
}

/**
 * The pattern as JSON Schema (and ajv) reads it, on the linear-time engine
 * (the pattern comes from a script); null when it cannot be compiled.
 */
export function compilePattern(pattern: string): LinearRegex | null {
  try {
    return compileLinearRegex(pattern, "u");
  } catch {
    return null;
  }
}
