import type { AnyNode, Expression, ExportNamedDeclaration, Node, Program, SpreadElement } from "acorn";
import { isObject, type JsonValue, type ScriptMeta } from "../types.js";
import { ScriptValidationError } from "./script-validation-error.js";

const META_SHAPE = "`export const meta = { name: '...', description: '...' }`";

/** The meta of a script and the statement that declares it. */
export interface MetaDeclaration {
  meta: ScriptMeta;
  /** The `export const meta = ...` statement (always the first statement). */
  statement: ExportNamedDeclaration;
}

/**
 * Finds `export const meta = {...}` as the first statement of `program` and
 * reads it without evaluating anything: only literal values are accepted, so
 * the meta is known before the script runs and cannot differ from what runs.
 */
export function readMeta(program: Program, file: string): MetaDeclaration {
  const fail = (node: Node, problem: string, fix: string): never => {
    throw metaError(file, node, problem, fix);
  };
  const first = program.body[0];
  const exported = program.body.find(isMetaExport);
  if (!first) {
    throw new ScriptValidationError("script_meta", { file, line: 1, column: 1 }, "the script is empty", `Start it with ${META_SHAPE}`);
  }
  if (exported && exported !== first) {
    fail(exported, `\`export const meta\` must be the first statement, but a statement on line ${lineOf(first)} comes before it`, "Move the meta to the top of the script (comments may precede it)");
  }
  if (!exported) {
    const local = program.body.find((s) => s.type === "VariableDeclaration" && s.declarations.some((d) => d.id.type === "Identifier" && d.id.name === "meta"));
    if (local) fail(local, "`meta` is declared but not exported", `Write ${META_SHAPE} as the first statement`);
    fail(first, "the script has no `export const meta`", `Start the script with ${META_SHAPE}`);
  }
  const statement = first as ExportNamedDeclaration;
  const declaration = statement.declaration;
  if (!declaration || declaration.type !== "VariableDeclaration") {
    return fail(statement, "the first export must declare `meta`", `Write ${META_SHAPE}`);
  }
  if (declaration.kind !== "const") fail(declaration, `\`meta\` is declared with \`${declaration.kind}\``, "Declare it with `const`");
  if (declaration.declarations.length !== 1) {
    fail(declaration.declarations[1] ?? declaration, "`export const meta` declares more than one variable", "Declare other variables in their own statements without `export`");
  }
  const init = declaration.declarations[0]?.init;
  if (!init || init.type !== "ObjectExpression") {
    return fail(init ?? declaration, "`meta` must be an object literal", `Write ${META_SHAPE}`);
  }
  const value = readLiteral(init, "meta", fail);
  return { meta: checkMetaFields(value as { [key: string]: JsonValue }, init, fail), statement };
}

/** True for an `export` statement that declares `meta`, wherever it stands. */
export function isMetaExport(node: AnyNode): node is ExportNamedDeclaration {
  return (
    node.type === "ExportNamedDeclaration" &&
    node.declaration?.type === "VariableDeclaration" &&
    node.declaration.declarations.some((d) => d.id.type === "Identifier" && d.id.name === "meta")
  );
}

type Fail = (node: Node, problem: string, fix: string) => never;

const LITERAL_FIX = "The meta must be a plain literal (strings, numbers, booleans, null, arrays and objects of those); write the value itself";

/** Converts a literal expression to JSON, naming the first construct that is not a plain literal. */
function readLiteral(node: Expression | SpreadElement, path: string, fail: Fail): JsonValue {
  switch (node.type) {
    case "Literal":
      if (typeof node.value === "number" && !Number.isFinite(node.value)) {
        return fail(node, `${path} is a number too large to represent`, LITERAL_FIX);
      }
      if (typeof node.value === "string" || typeof node.value === "number" || typeof node.value === "boolean") return node.value;
      // A regular expression the host cannot construct also has the value null.
      if (node.value === null && node.raw === "null") return null;
      break;
    case "TemplateLiteral":
      if (node.expressions.length > 0 || node.quasis[0]?.value.cooked == null) break;
      return node.quasis[0].value.cooked;
    case "UnaryExpression":
      // `-1` is a unary minus applied to `1`, and negative numbers are literals for our purpose.
      if ((node.operator === "-" || node.operator === "+") && node.argument.type === "Literal" && typeof node.argument.value === "number") {
        const n = node.operator === "-" ? -node.argument.value : node.argument.value;
        // JSON has no negative zero; keep what the guest would serialise.
        return Object.is(n, -0) ? 0 : n;
      }
      break;
    case "ArrayExpression":
      return node.elements.map((element, i) => {
        if (!element) return fail(node, `${path}[${i}] is a hole in an array literal`, LITERAL_FIX);
        return readLiteral(element, `${path}[${i}]`, fail);
      });
    case "ObjectExpression": {
      const object: { [key: string]: JsonValue } = {};
      for (const property of node.properties) {
        if (property.type === "SpreadElement") return fail(property, `${path} contains a spread (\`...\`)`, LITERAL_FIX);
        if (property.computed) return fail(property, `${path} has a computed key (\`[...]: \`)`, LITERAL_FIX);
        if (property.kind !== "init" || property.method) return fail(property, `${path} contains a method or accessor`, LITERAL_FIX);
        if (property.shorthand) return fail(property, `${path} has a shorthand property, which reads a variable`, LITERAL_FIX);
        const key = property.key.type === "Identifier" ? property.key.name : property.key.type === "Literal" ? String(property.key.value) : null;
        if (key === null) return fail(property, `${path} has an unsupported key`, LITERAL_FIX);
        // `__proto__: x` sets the prototype in JavaScript instead of a key; refuse rather than diverge.
        if (key === "__proto__") return fail(property, `${path} uses the key \`__proto__\``, "Use another key name");
        Object.defineProperty(object, key, {
          value: readLiteral(property.value as Expression, `${path}.${key}`, fail),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
    default:
      break;
  }
  return fail(node, `${path} is ${describeConstruct(node)}, not a plain literal`, LITERAL_FIX);
}

/** Names a syntax construct for an error message. */
function describeConstruct(node: AnyNode): string {
  switch (node.type) {
    case "Identifier":
      return `the variable \`${node.name}\``;
    case "CallExpression":
      return "a function call";
    case "NewExpression":
      return "a `new` expression";
    case "SpreadElement":
      return "a spread (`...`)";
    case "TemplateLiteral":
      return "a template literal with `${}` substitutions";
    case "TaggedTemplateExpression":
      return "a tagged template";
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return "a function";
    case "ClassExpression":
      return "a class";
    case "MemberExpression":
      return "a property access";
    case "BinaryExpression":
    case "LogicalExpression":
      return `an expression using \`${node.operator}\``;
    case "UnaryExpression":
      return `an expression using \`${node.operator}\``;
    case "ConditionalExpression":
      return "a conditional expression (`?:`)";
    case "AwaitExpression":
      return "an `await` expression";
    case "Literal":
      return node.value instanceof RegExp ? "a regular expression" : typeof node.value === "bigint" ? "a BigInt" : "an unsupported literal";
    default:
      return `an expression (${node.type})`;
  }
}

function checkMetaFields(meta: { [key: string]: JsonValue }, node: Expression, fail: Fail): ScriptMeta {
  const at = (key: string): AnyNode => {
    if (node.type !== "ObjectExpression") return node;
    const property = node.properties.find(
      (p) => p.type === "Property" && ((p.key.type === "Identifier" && p.key.name === key) || (p.key.type === "Literal" && p.key.value === key)),
    );
    return property ?? node;
  };
  for (const key of ["name", "description"]) {
    const value = meta[key];
    if (value === undefined) fail(node, `meta has no \`${key}\``, `Add \`${key}: '...'\` (a non-empty string)`);
    if (typeof value !== "string" || value.trim() === "") fail(at(key), `meta.${key} must be a non-empty string`, `Write \`${key}: '...'\``);
  }
  const phases = meta["phases"];
  if (phases !== undefined) {
    if (!Array.isArray(phases)) return fail(at("phases"), "meta.phases must be an array", "Write `phases: [{ title: '...' }, ...]` or leave it out");
    const property = at("phases");
    const elements = property.type === "Property" && property.value.type === "ArrayExpression" ? property.value.elements : [];
    phases.forEach((phase, i) => {
      const title = isObject(phase) ? phase["title"] : undefined;
      if (typeof title !== "string") {
        fail(elements[i] ?? property, `meta.phases[${i}] must be an object with a string \`title\``, "Write `phases: [{ title: '...' }, ...]`");
      }
    });
  }
  return meta as ScriptMeta;
}

function lineOf(node: Node): number {
  return node.loc?.start.line ?? 1;
}

/** A `script_meta` error located at `node`. */
function metaError(file: string, node: Node, problem: string, fix: string): ScriptValidationError {
  const start = node.loc?.start ?? { line: 1, column: 0 };
  return new ScriptValidationError("script_meta", { file, line: start.line, column: start.column + 1 }, problem, fix);
}
