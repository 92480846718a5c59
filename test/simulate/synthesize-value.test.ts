import { describe, expect, it } from "vitest";
import { compileSchema } from "../../src/runtime/schema/compile-schema.js";
import { synthesizeValue } from "../../src/simulate/synthesize-value.js";
import type { JsonSchema } from "../../src/runtime/types.js";

const VOTE: JsonSchema = {
  type: "object",
  required: ["verdict", "confident", "score", "findings"],
  properties: {
    verdict: { type: "string", enum: ["real", "false-positive", "unsure"] },
    confident: { type: "boolean" },
    score: { type: "integer", minimum: 0, maximum: 10 },
    ratio: { type: "number", exclusiveMinimum: 0, maximum: 1 },
    findings: { type: "array", minItems: 1, maxItems: 4, items: { type: "string" } },
    kind: { oneOf: [{ type: "string", const: "a" }, { type: "number", const: 2 }] },
  },
};

describe("synthesizeValue", () => {
  it("answers within the schema for many seeds", () => {
    const check = compileSchema(VOTE);
    for (let i = 0; i < 200; i++) {
      const value = synthesizeValue(VOTE, { seed: `1:a${i}` });
      expect(check.validate(value), JSON.stringify(value)).toEqual({ ok: true });
    }
  });

  it("varies enum members, booleans, numbers and array lengths across agents, so a vote is not always unanimous", () => {
    const values = Array.from({ length: 60 }, (_, i) => synthesizeValue(VOTE, { seed: `1:a${i}` }) as Record<string, unknown>);
    expect(new Set(values.map((v) => v.verdict)).size).toBe(3);
    expect(new Set(values.map((v) => v.confident)).size).toBe(2);
    expect(new Set(values.map((v) => v.score)).size).toBeGreaterThan(5);
    expect(new Set(values.map((v) => (v.findings as unknown[]).length))).toEqual(new Set([1, 2, 3, 4]));
  });

  it("repeats exactly for the same seed, differs for another, and fixes array lengths when asked", () => {
    expect(synthesizeValue(VOTE, { seed: "7:a3" })).toEqual(synthesizeValue(VOTE, { seed: "7:a3" }));
    const many = Array.from({ length: 20 }, (_, i) => JSON.stringify(synthesizeValue(VOTE, { seed: `${i}:a3` })));
    expect(new Set(many).size).toBeGreaterThan(10);
    expect((synthesizeValue(VOTE, { seed: "1", items: 2 }) as { findings: unknown[] }).findings).toHaveLength(2);
  });
});
