import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { ajvRegExpEngine } from "../../patterns/index.js";
import type { JsonSchema } from "../types.js";
import { canonicalJson } from "../journal/canonical-json.js";
import { detectSchemaContradiction } from "./find-schema-contradiction.js";
import { formatValidationErrors } from "./format-validation-errors.js";
import { InvalidSchemaError, SchemaContradictionError } from "./schema-errors.js";
import { messageOf } from "../../errors.js";

/** A schema ready to check agent outputs. Immutable and shareable. */
export interface CompiledSchema {
  readonly schema: JsonSchema;
  validate(value: unknown): { ok: true } | { ok: false; error: string };
}

export interface SchemaCompilerOptions {
  /** Distinct schemas kept compiled; the least recently used goes first. Default 256. */
  maxCacheEntries?: number;
}

const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;
const DRAFT_2020 = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;

const AJV_OPTIONS: Options = {
  allErrors: true,
  // Unknown keywords (`title`-like annotations models like to add) are ignored, not fatal.
  strict: false,
  // `format` is an annotation in 2020-12; no format vocabulary is bundled, so none is enforced.
  validateFormats: false,
  // Compiled validators are cached here, by content; ajv must not also keep every schema by `$id`.
  addUsedSchema: false,
  // `data` on errors lets messages say what was found (`got number`).
  verbose: true,
  logger: false,
  // `pattern` and `patternProperties` come from scripts: match them in linear time, never with backtracking.
  code: { regExp: ajvRegExpEngine },
};

type Entry = { compiled: CompiledSchema } | { error: InvalidSchemaError | SchemaContradictionError };

/**
 * Compiles JSON Schemas for agent outputs with ajv, once per distinct schema:
 * thousands of agents of one fan-out usually share one schema, and compiling
 * costs far more than validating. Schemas are keyed by canonical JSON, so key
 * order does not matter. Without `$schema`, draft 2020-12 is assumed, and
 * draft-07 when only draft-07 accepts the document (tuple `items: [...]`).
 */
export class SchemaCompiler {
  private readonly cache = new Map<string, Entry>();
  private readonly maxEntries: number;
  private drafts: { draft2020: Ajv2020; draft07: Ajv } | undefined;

  constructor(options: SchemaCompilerOptions = {}) {
    this.maxEntries = Math.max(1, options.maxCacheEntries ?? 256);
  }

  /**
   * Returns the compiled schema (the same instance for the same schema while
   * cached). Throws `SchemaContradictionError` when the schema provably accepts
   * nothing and `InvalidSchemaError` when it is not a valid JSON Schema.
   */
  compile(schema: JsonSchema): CompiledSchema {
    const key = canonicalJson(schema);
    let entry = this.cache.get(key);
    if (entry) {
      // Re-insert so Map order tracks recency.
      this.cache.delete(key);
    } else {
      entry = this.build(JSON.parse(key) as JsonSchema);
    }
    this.cache.set(key, entry);
    this.evict();
    if ("error" in entry) throw entry.error;
    return entry.compiled;
  }

  /** Number of schemas currently cached. */
  get size(): number {
    return this.cache.size;
  }

  private build(schema: JsonSchema): Entry {
    const contradiction = detectSchemaContradiction(schema);
    if (contradiction) return { error: new SchemaContradictionError(contradiction.path, contradiction.reason) };
    try {
      const ajv = this.pickDraft(schema);
      const validator = ajv.compile(schema);
      return { compiled: wrap(schema, validator) };
    } catch (error) {
      if (error instanceof InvalidSchemaError) return { error };
      // ajv throws plain errors for unresolvable `$ref`s and invalid regular expressions.
      return { error: new InvalidSchemaError(messageOf(error), { cause: error }) };
    }
  }

  private pickDraft(schema: JsonSchema): Ajv | Ajv2020 {
    // A schema that declares `$id` is compiled on an instance of its own, so two schemas with one `$id` cannot collide.
    const { draft2020, draft07 } = hasId(schema) ? createDrafts() : (this.drafts ??= createDrafts());
    const declared = typeof schema === "object" ? schema["$schema"] : undefined;
    if (typeof declared === "string") {
      const ajv = DRAFT_2020.test(declared) ? draft2020 : DRAFT_07.test(declared) ? draft07 : undefined;
      if (!ajv) throw new InvalidSchemaError(`unsupported $schema ${JSON.stringify(declared)}; use draft 2020-12 or draft-07, or leave $schema out`);
      assertValid(ajv, schema);
      return ajv;
    }
    if (draft2020.validateSchema(schema) === true) return draft2020;
    const problems = draft2020.errors;
    if (draft07.validateSchema(schema) === true) return draft07;
    throw new InvalidSchemaError(describeSchemaErrors(problems));
  }

  private evict(): void {
    for (const key of this.cache.keys()) {
      if (this.cache.size <= this.maxEntries) break;
      const entry = this.cache.get(key);
      this.cache.delete(key);
      // Lets ajv drop its own reference to the schema too.
      if (entry && "compiled" in entry && typeof entry.compiled.schema === "object") {
        this.drafts?.draft2020.removeSchema(entry.compiled.schema);
        this.drafts?.draft07.removeSchema(entry.compiled.schema);
      }
    }
  }
}

function createDrafts(): { draft2020: Ajv2020; draft07: Ajv } {
  return { draft2020: new Ajv2020(AJV_OPTIONS), draft07: new Ajv(AJV_OPTIONS) };
}

function assertValid(ajv: Ajv | Ajv2020, schema: JsonSchema): void {
  if (ajv.validateSchema(schema) !== true) throw new InvalidSchemaError(describeSchemaErrors(ajv.errors));
}

function describeSchemaErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return "the schema does not conform to its meta-schema";
  const lines = [...new Set(errors.map(describeSchemaError))];
  return lines.slice(0, 8).join("; ");
}

function describeSchemaError(error: ErrorObject): string {
  const allowed = (error.params as { allowedValues?: unknown }).allowedValues;
  if (error.keyword === "enum" && Array.isArray(allowed)) return `schema${error.instancePath} must be one of ${allowed.map(String).join(", ")}`;
  return `schema${error.instancePath} ${error.message ?? `fails ${error.keyword}`}`;
}

function hasId(schema: JsonSchema): boolean {
  return typeof schema === "object" && JSON.stringify(schema).includes('"$id"');
}

function wrap(schema: JsonSchema, validator: ValidateFunction): CompiledSchema {
  return Object.freeze({
    schema,
    validate(value: unknown) {
      // ajv keeps errors on the function; read them before anything else validates.
      if (validator(value)) return { ok: true as const };
      return { ok: false as const, error: formatValidationErrors(validator.errors ?? []) };
    },
  });
}

const defaultCompiler = new SchemaCompiler();

/** `SchemaCompiler.compile` on a process-wide compiler. */
export function compileSchema(schema: JsonSchema): CompiledSchema {
  return defaultCompiler.compile(schema);
}
