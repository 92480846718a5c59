import { describe, expect, it } from "vitest";
import { ToolInputError } from "../../../src/agents/errors.js";
import { createFinishTool, embeddableSchema } from "../../../src/agents/tools/create-finish-tool.js";
import { compileSchema } from "../../../src/runtime/schema/compile-schema.js";
import type { JsonSchema } from "../../../src/runtime/types.js";

const COUNT: JsonSchema = { type: "object", required: ["count"], properties: { count: { type: "integer" } } };
const context = { maxChars: 1000 };

function finishTool(schema?: JsonSchema) {
  const compiled = schema === undefined ? null : compileSchema(schema);
  return createFinishTool({ schema, validate: (v) => (compiled ? compiled.validate(v) : { ok: true }), summaryHint: "Say what you did." });
}

describe("embeddableSchema", () => {
  it("nests a self-contained schema, without $schema and $id", () => {
    expect(embeddableSchema({ $schema: "https://json-schema.org/draft/2020-12/schema", $id: "x", type: "string" })).toEqual({ type: "string" });
  });

  it("refuses schemas that only work at their own root, older drafts and booleans", () => {
    expect(embeddableSchema({ $defs: { a: { type: "string" } }, properties: { x: { $ref: "#/$defs/a" } } })).toBeNull();
    expect(embeddableSchema({ $schema: "http://json-schema.org/draft-07/schema#", type: "object" })).toBeNull();
    expect(embeddableSchema(true)).toBeNull();
    expect(embeddableSchema(undefined)).toBeNull();
  });
});

describe("finish tool", () => {
  it("without a schema takes text and refuses anything else", async () => {
    const tool = finishTool();
    expect(tool.definition.input_schema.properties).toMatchObject({ result: { type: "string" } });
    expect(await tool.run({ summary: "did it", result: "the answer" }, context)).toEqual({
      content: "Accepted.",
      finish: { summary: "did it", result: "the answer" },
    });
    await expect(tool.run({ summary: "did it", result: { a: 1 } }, context)).rejects.toBeInstanceOf(ToolInputError);
  });

  it("refuses an empty summary or a missing result", async () => {
    const tool = finishTool(COUNT);
    await expect(tool.run({ summary: "  ", result: { count: 1 } }, context)).rejects.toMatchObject({ field: "summary" });
    await expect(tool.run({ summary: "s" }, context)).rejects.toMatchObject({ field: "result" });
    await expect(tool.run("finish!", context)).rejects.toMatchObject({ field: null });
  });

  it("returns a validation failure as an error result, not a finish", async () => {
    const outcome = await finishTool(COUNT).run({ summary: "s", result: { count: 1.5 } }, context);
    expect(outcome.isError).toBe(true);
    expect(outcome.finish).toBeUndefined();
    expect(outcome.content).toContain("does not match its schema");
  });

  it("accepts an object sent as a JSON string when it matches", async () => {
    const outcome = await finishTool(COUNT).run({ summary: "s", result: '{"count": 3}' }, context);
    expect(outcome.finish).toEqual({ summary: "s", result: { count: 3 } });
  });

  it("describes a schema it cannot nest in words and leaves result open", () => {
    const tool = finishTool({ $defs: { n: { type: "integer" } }, type: "object", properties: { n: { $ref: "#/$defs/n" } } });
    const result = (tool.definition.input_schema.properties as Record<string, Record<string, unknown>>).result!;
    expect(result.type).toBeUndefined();
    expect(result.description).toContain("JSON Schema given in your instructions");
  });
});
