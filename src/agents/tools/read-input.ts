/**
 * Reads a tool's input, which is whatever JSON the model produced: every
 * field is checked and a mistake becomes a `ToolInputError` naming the field,
 * so the model can correct the call.
 */
import { ToolInputError } from "../errors.js";

/** The input object of a tool call, with typed field readers. */
export interface ToolArgs {
  string(field: string): string;
  optionalString(field: string): string | undefined;
  /** A whole number from 1 up (line numbers). */
  optionalLine(field: string): number | undefined;
  optionalBoolean(field: string): boolean | undefined;
  /** The raw value of a field (undefined when absent). */
  raw(field: string): unknown;
}

/** Checks that `input` is an object and returns readers for its fields. */
export function readInput(tool: string, input: unknown): ToolArgs {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new ToolInputError(tool, null, `${tool} takes an object of named arguments, got ${describe(input)}`);
  }
  const fields = input as Record<string, unknown>;
  const bad = (field: string, expected: string): never => {
    throw new ToolInputError(tool, field, `${tool}: "${field}" must be ${expected}, got ${describe(fields[field])}`);
  };
  const optionalString = (field: string) => {
    const value = fields[field];
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : bad(field, "a string");
  };
  return {
    string(field) {
      return optionalString(field) ?? bad(field, "a string (it is required)");
    },
    optionalString,
    optionalLine(field) {
      const value = fields[field];
      if (value === undefined || value === null) return undefined;
      return typeof value === "number" && Number.isInteger(value) && value >= 1 ? value : bad(field, "a whole number from 1 up");
    },
    optionalBoolean(field) {
      const value = fields[field];
      if (value === undefined || value === null) return undefined;
      return typeof value === "boolean" ? value : bad(field, "true or false");
    },
    raw: (field) => fields[field],
  };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `a string` : typeof value;
}
