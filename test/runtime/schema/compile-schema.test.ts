import { describe, expect, it } from "vitest";
import { compileSchema, SchemaCompiler } from "../../../src/runtime/schema/compile-schema.js";
import { InvalidSchemaError, SchemaContradictionError } from "../../../src/runtime/schema/schema-errors.js";
import type { JsonSchema } from "../../../src/runtime/types.js";

const FILES: JsonSchema = {
  type: "object",
  required: ["files", "summary"],
  properties: { files: { type: "array", items: { type: "string" } }, summary: { type: "string" } },
};

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("compileSchema validation", () => {
  it("accepts a conforming value", () => {
    expect(compileSchema(FILES).validate({ files: ["a.ts"], summary: "ok" })).toEqual({ ok: true });
  });

  it("lists every problem with its JSON pointer in one readable line", () => {
    const result = compileSchema(FILES).validate({ files: ["a.ts", 3] });
    expect(result).toEqual({ ok: false, error: "must have required property 'summary'; /files/1 must be string, got integer" });
  });

  it("names unexpected properties, allowed values and the type found", () => {
    const schema: JsonSchema = {
      type: "object",
      additionalProperties: false,
      properties: { kind: { enum: ["bug", "style"] }, count: { type: "integer" }, version: { const: 2 } },
    };
    const result = compileSchema(schema).validate({ kind: "other", count: 1.5, version: 3, extra: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.split("; ").sort()).toEqual(
      [
        "must NOT have additional property 'extra'",
        '/kind must be one of ["bug","style"], got "other"',
        "/count must be integer, got number",
        "/version must be 2, got 3",
      ].sort(),
    );
  });

  it("explains a missing result", () => {
    expect(compileSchema(FILES).validate(undefined)).toEqual({ ok: false, error: "must be object, got undefined" });
  });

  it("summarises long error lists", () => {
    const schema: JsonSchema = { type: "array", items: { type: "string" } };
    const result = compileSchema(schema).validate(Array.from({ length: 20 }, (_, i) => i));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^\/0 must be string, got integer; .*; and 8 more error\(s\)$/);
  });

  it("accepts boolean schemas", () => {
    expect(compileSchema(true).validate({ anything: 1 })).toEqual({ ok: true });
  });

  it("does not enforce formats", () => {
    expect(compileSchema({ type: "string", format: "email" }).validate("not an email")).toEqual({ ok: true });
  });

  it("supports draft 2020-12 tuples and draft-07 tuples", () => {
    const modern = compileSchema({ type: "array", prefixItems: [{ type: "string" }], items: false });
    expect(modern.validate(["a"])).toEqual({ ok: true });
    expect(modern.validate(["a", "b"]).ok).toBe(false);
    const legacy = compileSchema({ type: "array", items: [{ type: "string" }], additionalItems: false });
    expect(legacy.validate(["a"])).toEqual({ ok: true });
    expect(legacy.validate([1]).ok).toBe(false);
    const declared = compileSchema({ $schema: "http://json-schema.org/draft-07/schema#", definitions: { s: { type: "string" } }, $ref: "#/definitions/s" });
    expect(declared.validate("x")).toEqual({ ok: true });
    expect(declared.validate(1).ok).toBe(false);
  });

  it("keeps two schemas with the same $id apart", () => {
    const compiler = new SchemaCompiler();
    const first = compiler.compile({ $id: "https://example.test/result", type: "string" });
    const second = compiler.compile({ $id: "https://example.test/result", type: "number" });
    expect(first.validate("x")).toEqual({ ok: true });
    expect(second.validate(1)).toEqual({ ok: true });
    expect(second.validate("x").ok).toBe(false);
    expect(first.validate(1).ok).toBe(false);
  });
});

describe("invalid schemas", () => {
  const cases: { name: string; schema: JsonSchema; says: RegExp }[] = [
    { name: "unknown type name", schema: { type: "object", properties: { a: { type: "strin" } } }, says: /schema\/properties\/a\/type must be one of .*string/ },
    { name: "wrongly typed keyword", schema: { type: "object", required: "files" }, says: /schema\/required must be array/ },
    { name: "unresolvable $ref", schema: { $ref: "#/$defs/missing" }, says: /can't resolve reference #\/\$defs\/missing/ },
    { name: "invalid pattern", schema: { type: "string", pattern: "([a-z]" }, says: /regular expression "\(\[a-z\]" cannot be used: .*Unterminated group/ },
    { name: "unsupported $schema", schema: { $schema: "http://json-schema.org/draft-04/schema#" }, says: /unsupported \$schema.*draft 2020-12 or draft-07/ },
  ];
  for (const c of cases) {
    it(`rejects a schema with an ${c.name}`, () => {
      const error = thrown(() => new SchemaCompiler().compile(c.schema));
      expect(error).toBeInstanceOf(InvalidSchemaError);
      expect((error as InvalidSchemaError).code).toBe("schema_invalid");
      expect((error as InvalidSchemaError).problem).toMatch(c.says);
    });
  }
});

describe("contradictions", () => {
  it("throws SchemaContradictionError with the path and the reason before compiling", () => {
    const schema: JsonSchema = {
      type: "object",
      properties: { result: { type: "object", required: ["summary"], additionalProperties: false, properties: { files: {} } } },
    };
    const error = thrown(() => compileSchema(schema));
    expect(error).toBeInstanceOf(SchemaContradictionError);
    expect(error).toMatchObject({
      code: "schema_contradiction",
      path: "/properties/result",
      reason: '"summary" is required but additionalProperties: false rules it out',
      message: 'schema at /properties/result: "summary" is required but additionalProperties: false rules it out',
    });
  });

  it("reports a contradiction even when ajv would call the document invalid", () => {
    expect(thrown(() => compileSchema({ type: [] }))).toBeInstanceOf(SchemaContradictionError);
  });
});

describe("cache", () => {
  it("returns the same compiled instance for the same schema, whatever the key order", () => {
    const compiler = new SchemaCompiler();
    const first = compiler.compile({ type: "object", required: ["a"], properties: { a: { type: "string" } } });
    const second = compiler.compile({ properties: { a: { type: "string" } }, required: ["a"], type: "object" });
    expect(second).toBe(first);
    expect(compiler.size).toBe(1);
    expect(compiler.compile({ type: "object", required: ["b"] })).not.toBe(first);
    expect(compiler.size).toBe(2);
  });

  it("is not affected by later mutation of the caller's schema", () => {
    const compiler = new SchemaCompiler();
    const schema = { type: "string" } as { [key: string]: string };
    const compiled = compiler.compile(schema);
    schema["type"] = "number";
    expect(compiled.validate("x")).toEqual({ ok: true });
    expect(compiler.compile(schema)).not.toBe(compiled);
  });

  it("keeps at most maxCacheEntries schemas, dropping the least recently used", () => {
    const compiler = new SchemaCompiler({ maxCacheEntries: 2 });
    const a = compiler.compile({ type: "string" });
    const b = compiler.compile({ type: "number" });
    expect(compiler.compile({ type: "string" })).toBe(a); // a is now the most recent
    compiler.compile({ type: "boolean" }); // evicts b
    expect(compiler.size).toBe(2);
    expect(compiler.compile({ type: "string" })).toBe(a);
    const b2 = compiler.compile({ type: "number" });
    expect(b2).not.toBe(b);
    expect(b2.validate(1)).toEqual({ ok: true });
  });

  it("remembers rejected schemas too", () => {
    const compiler = new SchemaCompiler();
    const first = thrown(() => compiler.compile({ minimum: 2, maximum: 1 }));
    const second = thrown(() => compiler.compile({ maximum: 1, minimum: 2 }));
    expect(second).toBe(first);
  });

  it("shares compiled schemas across the process through compileSchema", () => {
    expect(compileSchema({ type: "array", items: { type: "string" } })).toBe(compileSchema({ items: { type: "string" }, type: "array" }));
  });
});
