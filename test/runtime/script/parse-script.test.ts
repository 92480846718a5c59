import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { parseScript, validateScript } from "../../../src/runtime/script/parse-script.js";
import { ScriptValidationError } from "../../../src/runtime/script/script-validation-error.js";

const META = "export const meta = { name: 'demo', description: 'A demo workflow' }";

/** The Claude Code docs' example script. */
const AUDIT_ROUTES = `export const meta = {
  name: 'audit-routes',
  description: 'Audit every route handler for missing auth checks',
}

const found = await agent('List every .ts file under src/routes/.', {
  schema: { type: 'object', required: ['files'], properties: { files: { type: 'array', items: { type: 'string' } } } },
})

const audits = await pipeline(found.files, file =>
  agent(\`Audit \${file} for missing authentication checks.\`, { label: file }),
)

return audits.filter(Boolean)
`;

function rejection(source: string): ScriptValidationError {
  const result = validateScript(source, "plan.js");
  if (result.ok) throw new Error("expected the script to be rejected");
  return result.error;
}

/** Evaluates the guest function with node:vm — test-only, to observe line numbers and results. */
function evaluate(functionSource: string, globals: Record<string, unknown> = {}): (args: unknown, workflow: unknown) => Promise<unknown> {
  return vm.runInNewContext(functionSource, { ...globals }, { filename: "plan.js" }) as (args: unknown, workflow: unknown) => Promise<unknown>;
}

describe("parseScript", () => {
  it("accepts the Claude Code docs' example and extracts its meta", () => {
    const parsed = parseScript(AUDIT_ROUTES);
    expect(parsed.meta).toEqual({ name: "audit-routes", description: "Audit every route handler for missing auth checks" });
    expect(parsed.filename).toBe("script.js");
    expect(parsed.functionSource.startsWith("(async function (args, workflow) {")).toBe(true);
  });

  it("reads every kind of literal in the meta", () => {
    const source = [
      "export const meta = {",
      "  name: `templated`,",
      "  'description': \"quoted\",",
      "  phases: [{ title: 'Find', detail: null }, { title: 'Fix', weight: -2.5, on: true }],",
      "  nested: { list: [1, +2, 'x', false, []], 3: 'numeric key' },",
      "}",
    ].join("\n");
    expect(parseScript(source).meta).toEqual({
      name: "templated",
      description: "quoted",
      phases: [
        { title: "Find", detail: null },
        { title: "Fix", weight: -2.5, on: true },
      ],
      nested: { list: [1, 2, "x", false, []], 3: "numeric key" },
    });
  });

  it("keeps every line of the source on the same line of functionSource", () => {
    const source = AUDIT_ROUTES;
    const parsed = parseScript(source);
    const sourceLines = source.split("\n");
    const functionLines = parsed.functionSource.split("\n");
    expect(functionLines.slice(1, sourceLines.length)).toEqual(sourceLines.slice(1));
    expect(functionLines[0]?.endsWith("       const meta = {")).toBe(true);
    expect(functionLines.at(-1)).toBe("})");
  });

  it("reports a runtime error on line 7 of the source as line 7 of functionSource", async () => {
    const source = [
      META, // 1
      "", // 2
      "const first = await agent('one')", // 3
      "log(first)", // 4
      "// a comment", // 5
      "const empty = null", // 6
      "const boom = empty.field", // 7
      "return boom", // 8
    ].join("\n");
    const run = evaluate(parseScript(source).functionSource, { agent: async () => "done", log: () => undefined });
    const error = (await run({}, null).catch((e: unknown) => e)) as Error;
    // The error comes from the vm context's realm, so check its name rather than `instanceof`.
    expect(error.name).toBe("TypeError");
    expect(error.stack).toMatch(/plan\.js:7:/);
    expect(error.stack).not.toMatch(/plan\.js:[0-689]:/);
  });

  it("runs top-level await and return with meta as a local constant", async () => {
    const source = `${META}\nconst n = await Promise.resolve(args.n)\nreturn { name: meta.name, twice: n * 2, wf: typeof workflow }`;
    const run = evaluate(parseScript(source).functionSource, { Promise });
    expect(await run({ n: 21 }, () => null)).toEqual({ name: "demo", twice: 42, wf: "function" });
  });

  it("lets the script declare its own args and workflow at top level", async () => {
    const source = `${META}\nconst args = { mine: true }\nclass workflow {}\nreturn [args.mine, typeof workflow]`;
    const run = evaluate(parseScript(source).functionSource);
    expect(await run({ mine: false }, () => null)).toEqual([true, "function"]);
  });

  it("accepts top-level declarations of every kind", () => {
    const source = `${META}\nconst a = 1\nlet b = 2\nvar c = 3\nfunction d() { return a }\nclass E {}\nasync function* f() {}\nreturn d() + b + c`;
    expect(() => parseScript(source)).not.toThrow();
  });

  it("blanks a hashbang line instead of failing on it", async () => {
    const source = `#!/usr/bin/env dynflow\n${META}\nreturn 1`;
    const parsed = parseScript(source);
    expect(await evaluate(parsed.functionSource)({}, null)).toBe(1);
  });

  it("uses the file name it is given", () => {
    expect(parseScript(AUDIT_ROUTES, "audit.js").filename).toBe("audit.js");
    expect(() => parseScript("const x = (", "audit.js")).toThrow(/^audit\.js, line 1/);
  });
});

describe("validateScript", () => {
  it("returns the meta when the script is valid", () => {
    const result = validateScript(AUDIT_ROUTES);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.meta.name).toBe("audit-routes");
  });

  it("returns the error instead of throwing", () => {
    const result = validateScript("const x = (");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBeInstanceOf(ScriptValidationError);
      expect(result.error.toRunErrorInfo()).toEqual({ code: "script_syntax", message: result.error.message, line: 1, file: "script.js" });
    }
  });
});

describe("script rejections", () => {
  const cases: { name: string; source: string; code: string; line: number; column?: number; says: RegExp }[] = [
    { name: "syntax error", source: `${META}\n\nconst x = (1 +\n;`, code: "script_syntax", line: 4, column: 1, says: /syntax error: Unexpected token/ },
    { name: "empty script", source: "// nothing\n", code: "script_meta", line: 1, says: /empty.*export const meta/ },
    { name: "missing meta", source: "const x = 1\nreturn x", code: "script_meta", line: 1, says: /no `export const meta`.*Start the script with/ },
    { name: "meta not first", source: "const x = 1\n\nexport const meta = { name: 'a', description: 'b' }", code: "script_meta", line: 3, says: /must be the first statement.*line 1/ },
    { name: "meta not exported", source: "const meta = { name: 'a', description: 'b' }", code: "script_meta", line: 1, says: /not exported/ },
    { name: "meta declared with let", source: "export let meta = { name: 'a', description: 'b' }", code: "script_meta", line: 1, says: /declared with `let`.*const/ },
    { name: "meta not an object literal", source: "export const meta = makeMeta()", code: "script_meta", line: 1, says: /must be an object literal/ },
    { name: "meta with a variable", source: "export const meta = {\n  name: 'a',\n  description: DESCRIPTION,\n}", code: "script_meta", line: 3, column: 16, says: /meta\.description is the variable `DESCRIPTION`, not a plain literal/ },
    { name: "meta with a call", source: "export const meta = {\n  name: String(1),\n  description: 'b',\n}", code: "script_meta", line: 2, says: /meta\.name is a function call/ },
    { name: "meta with a spread", source: "export const meta = {\n  name: 'a', description: 'b',\n  ...defaults,\n}", code: "script_meta", line: 3, says: /spread/ },
    { name: "meta with a computed key", source: "export const meta = { name: 'a', description: 'b',\n  [key]: 1 }", code: "script_meta", line: 2, says: /computed key/ },
    { name: "meta with a function", source: "export const meta = { name: 'a', description: 'b',\n  run: () => 1 }", code: "script_meta", line: 2, says: /meta\.run is a function/ },
    { name: "meta with a method", source: "export const meta = { name: 'a', description: 'b',\n  run() {} }", code: "script_meta", line: 2, says: /method/ },
    { name: "meta with a shorthand", source: "export const meta = { name: 'a', description: 'b',\n  phases }", code: "script_meta", line: 2, says: /shorthand/ },
    { name: "meta with a template substitution", source: "export const meta = { name: `a${1}`, description: 'b' }", code: "script_meta", line: 1, says: /template literal with/ },
    { name: "meta with a nested non-literal", source: "export const meta = { name: 'a', description: 'b',\n  phases: [{ title: 'x' },\n    { title: t }] }", code: "script_meta", line: 3, says: /meta\.phases\[1\]\.title is the variable `t`/ },
    { name: "meta name missing", source: "export const meta = {\n  description: 'b',\n}", code: "script_meta", line: 1, says: /meta has no `name`/ },
    { name: "meta name not a string", source: "export const meta = {\n  name: 42,\n  description: 'b' }", code: "script_meta", line: 2, says: /meta\.name must be a non-empty string/ },
    { name: "meta description missing", source: "export const meta = { name: 'a' }", code: "script_meta", line: 1, says: /no `description`/ },
    { name: "meta phases not an array", source: "export const meta = { name: 'a', description: 'b',\n  phases: 'all' }", code: "script_meta", line: 2, says: /meta\.phases must be an array/ },
    { name: "meta phase without title", source: "export const meta = { name: 'a', description: 'b', phases: [\n  { title: 'ok' },\n  { name: 'x' },\n] }", code: "script_meta", line: 3, says: /meta\.phases\[1\] must be an object with a string `title`/ },
    { name: "import declaration", source: `${META}\nimport fs from 'node:fs'`, code: "script_forbidden", line: 2, says: /`import` declarations are not available/ },
    { name: "import before the meta", source: `import fs from 'node:fs'\n${META}`, code: "script_forbidden", line: 1, says: /`import` declarations/ },
    { name: "import() expression", source: `${META}\nconst a = 1\nconst m = await import('node:fs')`, code: "script_forbidden", line: 3, column: 17, says: /`import\(\)` is not available/ },
    { name: "import.meta", source: `${META}\nconst url = import.meta.url`, code: "script_forbidden", line: 2, says: /`import\.meta` is not available/ },
    { name: "require call", source: `${META}\n\nconst fs = require('fs')`, code: "script_forbidden", line: 3, column: 12, says: /`require` is not available/ },
    { name: "require reference", source: `${META}\nconst r = typeof require`, code: "script_forbidden", line: 2, says: /`require`/ },
    { name: "require bound in a sibling function only", source: `${META}\nfunction a(require) { return require }\nfunction b() {\n  return require('x') }`, code: "script_forbidden", line: 4, says: /`require`/ },
    { name: "export of a function", source: `${META}\nexport function helper() {}`, code: "script_forbidden", line: 2, says: /only `export const meta` may be exported/ },
    { name: "export default", source: `${META}\nexport default 1`, code: "script_forbidden", line: 2, says: /`export default`/ },
    { name: "export list", source: `${META}\nconst x = 1\nexport { x }`, code: "script_forbidden", line: 3, says: /only `export const meta`/ },
    { name: "export star", source: `${META}\nexport * from 'x'`, code: "script_forbidden", line: 2, says: /`export \* from`/ },
  ];

  for (const c of cases) {
    it(`rejects ${c.name} at line ${c.line}`, () => {
      const error = rejection(c.source);
      expect(error).toBeInstanceOf(ScriptValidationError);
      expect(error.code).toBe(c.code);
      expect(error.file).toBe("plan.js");
      expect(error.line).toBe(c.line);
      if (c.column !== undefined) expect(error.column).toBe(c.column);
      expect(error.message).toMatch(c.says);
      expect(error.message.startsWith(`plan.js, line ${c.line}, column ${error.column}: `)).toBe(true);
      expect(() => parseScript(c.source, "plan.js")).toThrow(ScriptValidationError);
    });
  }

  it("allows a require the script declares itself", () => {
    const sources = [
      `${META}\nconst require = (name) => name\nreturn require('x')`,
      `${META}\nfunction load(require) { return require('x') }`,
      `${META}\nfunction load() { if (true) { var require = () => 1 } return require() }`,
      `${META}\ntry { x() } catch (require) { require.message }`,
      `${META}\nfor (const require of []) require()`,
      `${META}\nconst tools = { require: 1 }\ntools.require\nlabel: for (;;) break label`,
    ];
    for (const source of sources) expect(validateScript(source).ok, source).toBe(true);
  });
});

describe("parseScript, parsed again", () => {
  it("gives the same result for the same script, and a caller's change to it is not seen by the next", () => {
    const source = `${META}\nreturn 1`;
    const first = parseScript(source, "again.js");
    (first.meta as { name: string }).name = "changed";
    const second = parseScript(source, "again.js");
    expect(second.meta.name).toBe("demo");
    expect(second.functionSource).toBe(first.functionSource);
    expect(parseScript(source, "other.js").filename).toBe("other.js");
  });
});
