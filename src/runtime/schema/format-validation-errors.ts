import { fitLength } from "../../progress/fit-text.js";
import type { ErrorObject } from "ajv";

/** More errors than this are summarised; a model fixes the first ones first anyway. */
const MAX_SHOWN = 12;

/**
 * Turns ajv's errors into one line a model can act on, e.g.
 * `/files/0 must be string, got number; must have required property 'summary'`.
 * Paths are JSON pointers into the output; the root has none.
 */
export function formatValidationErrors(errors: readonly ErrorObject[]): string {
  const lines = [...new Set(errors.map(describeError))];
  const shown = lines.slice(0, MAX_SHOWN);
  if (lines.length > MAX_SHOWN) shown.push(`and ${lines.length - MAX_SHOWN} more error(s)`);
  return shown.join("; ");
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "" : `${error.instancePath} `;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type":
      return `${where}must be ${String(params["type"])}, got ${jsonType(error.data)}`;
    case "additionalProperties":
      return `${where}must NOT have additional property '${String(params["additionalProperty"])}'`;
    case "unevaluatedProperties":
      return `${where}must NOT have unevaluated property '${String(params["unevaluatedProperty"])}'`;
    case "enum":
      return `${where}must be one of ${truncate(JSON.stringify(params["allowedValues"]))}, got ${truncate(JSON.stringify(error.data))}`;
    case "const":
      return `${where}must be ${truncate(JSON.stringify(params["allowedValue"]))}, got ${truncate(JSON.stringify(error.data))}`;
    default:
      return `${where}${error.message ?? `fails ${error.keyword}`}`;
  }
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isInteger(value)) return "integer";
  return typeof value;
}

function truncate(text: string | undefined, max = 120): string {
  return text === undefined ? "nothing" : fitLength(text, max + 1);
}
