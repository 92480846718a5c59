import { describe, expect, it } from "vitest";
import { detectSchemaContradiction, findSchemaContradiction } from "../../../src/runtime/schema/find-schema-contradiction.js";
import type { JsonSchema } from "../../../src/runtime/types.js";

describe("findSchemaContradiction finds", () => {
  const cases: { name: string; schema: JsonSchema; path: string; reason: RegExp }[] = [
    {
      name: "a required key additionalProperties: false rules out",
      schema: { type: "object", required: ["summary"], properties: { files: {} }, additionalProperties: false },
      path: "",
      reason: /^"summary" is required but additionalProperties: false rules it out$/,
    },
    {
      name: "a required key whose patternProperties match does not cover it",
      schema: { required: ["y-1"], patternProperties: { "^x-": {} }, additionalProperties: false },
      path: "",
      reason: /"y-1" is required but additionalProperties: false/,
    },
    { name: "a required property whose schema is false", schema: { required: ["a"], properties: { a: false } }, path: "", reason: /"a" is required but its schema is `false`/ },
    { name: "a required key a false patternProperty matches", schema: { required: ["x-a"], patternProperties: { "^x-": false } }, path: "", reason: /patternProperties "\^x-" is `false`/ },
    { name: "more required keys than maxProperties", schema: { type: "object", required: ["a", "b", "c"], maxProperties: 2 }, path: "", reason: /3 properties are required but maxProperties is 2/ },
    { name: "minimum above maximum", schema: { type: "number", minimum: 5, maximum: 1 }, path: "", reason: /^minimum 5 is greater than maximum 1$/ },
    { name: "minimum above maximum without a type", schema: { minimum: 5, maximum: 1 }, path: "", reason: /minimum 5 is greater than maximum 1/ },
    { name: "equal exclusive bounds", schema: { exclusiveMinimum: 3, exclusiveMaximum: 3 }, path: "", reason: /exclusiveMinimum 3 and exclusiveMaximum 3 leave no number/ },
    { name: "minimum at an exclusive maximum", schema: { minimum: 3, exclusiveMaximum: 3 }, path: "", reason: /minimum 3 and exclusiveMaximum 3/ },
    { name: "an exclusive minimum above the maximum", schema: { exclusiveMinimum: 4, maximum: 3 }, path: "", reason: /exclusiveMinimum 4 is greater than maximum 3/ },
    { name: "no integer between bounds", schema: { type: "integer", exclusiveMinimum: 1, exclusiveMaximum: 2 }, path: "", reason: /no integer satisfies both exclusiveMinimum 1 and exclusiveMaximum 2/ },
    { name: "minLength above maxLength", schema: { type: "string", minLength: 3, maxLength: 2 }, path: "", reason: /minLength 3 is greater than maxLength 2/ },
    { name: "minItems above maxItems", schema: { type: "array", minItems: 3, maxItems: 2 }, path: "", reason: /minItems 3 is greater than maxItems 2/ },
    { name: "minProperties above maxProperties", schema: { minProperties: 3, maxProperties: 2 }, path: "", reason: /minProperties 3 is greater than maxProperties 2/ },
    { name: "an enum with no value of the type", schema: { type: "string", enum: [1, 2] }, path: "", reason: /no enum value is allowed: 1 is not of type "string"; 2 is not of type "string"/ },
    { name: "a const of the wrong type", schema: { type: "integer", const: "7" }, path: "", reason: /"7" is not of type "integer"/ },
    { name: "a const a bound excludes", schema: { type: "string", const: "abc", maxLength: 2 }, path: "", reason: /"abc" fails maxLength 2/ },
    { name: "a const outside the enum", schema: { const: "x", enum: ["y", "z"] }, path: "", reason: /enum \["y","z"\] shares no value with const "x"/ },
    { name: "an empty enum", schema: { enum: [] }, path: "", reason: /enum: \[\] allows no value/ },
    { name: "an empty type list", schema: { type: [] }, path: "", reason: /type \[\] allows no type/ },
    { name: "the schema false", schema: false, path: "", reason: /the schema is `false`/ },
    { name: "conflicting types across allOf", schema: { allOf: [{ type: "string" }, { type: "number" }] }, path: "", reason: /type "number" \(at \/allOf\/1\) and type "string" \(at \/allOf\/0\) have no type in common/ },
    { name: "a type that conflicts with an allOf branch", schema: { type: "object", allOf: [{ type: ["string", "null"] }] }, path: "", reason: /no type in common/ },
    { name: "bounds split across allOf", schema: { allOf: [{ minimum: 5 }, { maximum: 1 }] }, path: "", reason: /minimum 5 \(at \/allOf\/0\) is greater than maximum 1 \(at \/allOf\/1\)/ },
    { name: "a false allOf branch", schema: { allOf: [{}, false] }, path: "/allOf/1", reason: /allOf branch is `false`/ },
    { name: "additionalProperties: false in one allOf branch against another's required", schema: { allOf: [{ properties: { a: {} }, additionalProperties: false }, { required: ["b"] }] }, path: "", reason: /"b" is required but additionalProperties: false \(at \/allOf\/0\) rules it out/ },
    { name: "minItems beyond a closed tuple", schema: { type: "array", minItems: 2, prefixItems: [{}], items: false }, path: "", reason: /minItems 2 is more than the 1 item\(s\) items: false allows/ },
    { name: "minItems beyond a closed draft-07 tuple", schema: { minItems: 2, items: [{}], additionalItems: false }, path: "", reason: /additionalItems: false/ },
    { name: "a false tuple item minItems requires", schema: { minItems: 2, prefixItems: [{}, false] }, path: "", reason: /minItems 2 requires item 1, but prefixItems\/1 is `false`/ },
    { name: "every anyOf branch false", schema: { anyOf: [false, false] }, path: "", reason: /every anyOf branch is `false`/ },
    { name: "a contradiction in a nested property", schema: { type: "object", properties: { result: { type: "object", properties: { count: { minimum: 2, maximum: 1 } } } } }, path: "/properties/result/properties/count", reason: /minimum 2 is greater than maximum 1/ },
    { name: "a contradiction in items", schema: { type: "array", items: { type: "string", enum: [true] } }, path: "/items", reason: /true is not of type "string"/ },
    { name: "a contradiction in a prefixItems entry", schema: { prefixItems: [{}, { minLength: 2, maxLength: 1 }] }, path: "/prefixItems/1", reason: /minLength 2/ },
    { name: "a contradiction inside an allOf branch", schema: { allOf: [{ properties: { a: { type: [] } } }] }, path: "/allOf/0/properties/a", reason: /type \[\]/ },
    { name: "a contradiction under a key needing escapes", schema: { properties: { "a/b~c": { minItems: 2, maxItems: 1 } } }, path: "/properties/a~1b~0c", reason: /minItems 2/ },
    { name: "a contradiction in $defs", schema: { $defs: { n: { minimum: 1, exclusiveMaximum: 1 } } }, path: "/$defs/n", reason: /minimum 1 and exclusiveMaximum 1/ },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const found = detectSchemaContradiction(c.schema);
      expect(found?.path).toBe(c.path);
      expect(found?.reason).toMatch(c.reason);
      const where = c.path === "" ? "schema root" : `schema at ${c.path}`;
      expect(findSchemaContradiction(c.schema)).toBe(`${where}: ${found?.reason}`);
    });
  }
});

describe("findSchemaContradiction does not flag", () => {
  const cases: { name: string; schema: JsonSchema }[] = [
    { name: "a required key present via patternProperties", schema: { type: "object", required: ["x-id"], patternProperties: { "^x-": { type: "string" } }, additionalProperties: false } },
    { name: "additionalProperties: false with the key in properties", schema: { type: "object", required: ["summary"], properties: { summary: { type: "string" } }, additionalProperties: false } },
    { name: "an optional property forbidden with false", schema: { type: "object", properties: { secret: false } } },
    { name: "items: false without minItems", schema: { type: "array", items: false } },
    { name: "a closed tuple long enough", schema: { type: "array", minItems: 1, prefixItems: [{}, false], items: false } },
    { name: "numeric bounds on a non-numeric type", schema: { type: "string", minimum: 5, maximum: 1 } },
    { name: "no integer between bounds while strings are allowed", schema: { type: ["integer", "string"], minimum: 1.2, maximum: 1.8 } },
    { name: "a fraction between bounds for number", schema: { type: "number", exclusiveMinimum: 1, exclusiveMaximum: 2 } },
    { name: "equal inclusive bounds", schema: { type: "integer", minimum: 3, maximum: 3 } },
    { name: "number and integer across allOf", schema: { allOf: [{ type: "number" }, { type: "integer" }] } },
    { name: "an enum with one value of the type", schema: { type: "string", enum: [1, "ok"] } },
    { name: "a nullable enum", schema: { type: ["string", "null"], enum: ["a", null] } },
    { name: "an integer-valued float in an integer enum", schema: { type: "integer", enum: [1.0] } },
    { name: "anyOf with one false branch", schema: { anyOf: [false, { type: "string" }] } },
    { name: "a false not", schema: { not: false } },
    { name: "an unreadable pattern", schema: { required: ["a"], patternProperties: { "([": {} }, additionalProperties: false } },
    { name: "the Claude Code docs' schema", schema: { type: "object", required: ["files"], properties: { files: { type: "array", items: { type: "string" } } } } },
    { name: "the schema true", schema: true },
    { name: "an empty schema", schema: {} },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(findSchemaContradiction(c.schema)).toBeNull();
    });
  }

  it("non-schema input without throwing", () => {
    for (const input of [null, 3, "x", [1], { properties: 5, allOf: "x", required: [1] }]) {
      expect(detectSchemaContradiction(input)).toBeNull();
    }
  });
});
