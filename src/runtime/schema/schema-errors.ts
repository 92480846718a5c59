import { DynflowError } from "../../errors.js";

/** A schema document is not valid JSON Schema (or cannot be compiled). */
export class InvalidSchemaError extends DynflowError {
  /** What is wrong, e.g. `schema/properties/files/type must be equal to one of the allowed values`. */
  readonly problem: string;

  constructor(problem: string, options?: { cause?: unknown }) {
    super("schema_invalid", `invalid JSON Schema: ${problem}`, options);
    this.problem = problem;
  }
}

/** A schema that provably accepts no value, so no agent could ever satisfy it. */
export class SchemaContradictionError extends DynflowError {
  /** JSON pointer of the contradicting subschema; `""` is the root. */
  readonly path: string;
  /** The contradiction, e.g. `minimum 5 is greater than maximum 1`. */
  readonly reason: string;

  constructor(path: string, reason: string) {
    super("schema_contradiction", `${describeSchemaPath(path)}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

/** `schema at /properties/x`, or `schema root` for the empty pointer. */
export function describeSchemaPath(path: string): string {
  return path === "" ? "schema root" : `schema at ${path}`;
}
