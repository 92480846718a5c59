import { parse, type Program } from "acorn";
import * as walk from "acorn-walk";
import type { ScriptMeta } from "../types.js";
import { assertNoForbiddenConstructs } from "./find-forbidden.js";
import { patternNames } from "./pattern-names.js";
import { readMeta } from "./read-meta.js";
import { ScriptValidationError } from "./script-validation-error.js";

/** A plan script that passed validation, ready for the sandbox. */
export interface ParsedScript {
  meta: ScriptMeta;
  filename: string;
  /** Guest JavaScript (a script) whose completion value is `async function (args, workflow) { ... }`. */
  functionSource: string;
}

/** The parameters the runtime passes to the script function, in order. */
const PARAMETERS = ["args", "workflow"] as const;

/**
 * Validates a plan script (Claude Code's workflow script format: `export const
 * meta = {...}` first, then a body with top-level `await` and `return`) and
 * turns it into a function expression the sandbox can evaluate as a plain
 * script. Throws `ScriptValidationError` naming the line of the first problem.
 *
 * Line N of the source is line N of `functionSource` (the wrapper opens on
 * line 1 and closes on a line of its own), so runtime errors point at the
 * author's own lines.
 */
export function parseScript(source: string, filename = "script.js"): ParsedScript {
  // A run parses its script, and each workflow it loads, more than once (the task, the plan, the sandbox).
  const key = `${filename}\0${source}`;
  const known = parsed.get(key);
  if (known) {
    parsed.delete(key);
    parsed.set(key, known);
    return { ...known, meta: structuredClone(known.meta) };
  }
  const script = parseNow(source, filename);
  parsed.set(key, script);
  if (parsed.size > PARSED_KEPT) parsed.delete(parsed.keys().next().value as string);
  return { ...script, meta: structuredClone(script.meta) };
}

/** Scripts that passed validation, by file name and source, least recently used first. */
const parsed = new Map<string, ParsedScript>();
const PARSED_KEPT = 32;

function parseNow(source: string, filename: string): ParsedScript {
  const program = parseModule(source, filename);
  assertNoForbiddenConstructs(program, filename);
  const { meta, statement } = readMeta(program, filename);

  // Blank out the `export` keyword (same length, so columns stay put too): `meta` becomes a local const.
  let body = `${source.slice(0, statement.start)}${" ".repeat("export".length)}${source.slice(statement.start + "export".length)}`;
  // A hashbang line is only legal at the start of a file; inside the wrapper it would be a syntax error.
  if (body.startsWith("#!")) body = body.replace(/^#![^\n\r\u2028\u2029]*/, (line) => " ".repeat(line.length));

  const parameters = parameterNames(program);
  const functionSource = `(async function (${parameters.join(", ")}) { "use strict"; ${body}\n})`;
  return { meta, filename, functionSource };
}

/** Result of `validateScript`. */
export type ScriptValidation = { ok: true; meta: ScriptMeta; script: ParsedScript } | { ok: false; error: ScriptValidationError };

/**
 * Non-throwing `parseScript`, for callers that feed the error back to the
 * model that wrote the script. Errors other than validation errors propagate.
 */
export function validateScript(source: string, filename = "script.js"): ScriptValidation {
  try {
    const script = parseScript(source, filename);
    return { ok: true, meta: script.meta, script };
  } catch (error) {
    if (error instanceof ScriptValidationError) return { ok: false, error };
    throw error;
  }
}

function parseModule(source: string, file: string): Program {
  try {
    return parse(source, {
      ecmaVersion: "latest",
      sourceType: "module",
      allowReturnOutsideFunction: true,
      locations: true,
    });
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const loc = (error as SyntaxError & { loc?: { line: number; column: number } }).loc ?? { line: 1, column: 0 };
    // acorn appends "(line:column)"; the location is reported in our own format instead.
    const reason = error.message.replace(/ \(\d+:\d+\)$/, "");
    throw new ScriptValidationError(
      "script_syntax",
      { file, line: loc.line, column: loc.column + 1 },
      `syntax error: ${reason}`,
      "Fix the JavaScript at this position",
    );
  }
}

/**
 * Names for the wrapper's parameters. A script may declare its own top-level
 * `const args` (shadowing the global, as in Claude Code); a parameter of the
 * same name would then be a redeclaration error, so that parameter gets a name
 * the script never uses.
 */
function parameterNames(program: Program): string[] {
  const lexical = new Set<string>();
  for (const statement of program.body) {
    const declaration = statement.type === "ExportNamedDeclaration" ? statement.declaration : statement;
    if (declaration?.type === "VariableDeclaration" && declaration.kind !== "var") {
      for (const declarator of declaration.declarations) patternNames(declarator.id).forEach((name) => lexical.add(name));
    } else if (declaration?.type === "ClassDeclaration") {
      lexical.add(declaration.id.name);
    }
  }
  if (!PARAMETERS.some((name) => lexical.has(name))) return [...PARAMETERS];
  const used = new Set<string>();
  walk.full(program, (node) => {
    if (node.type === "Identifier") used.add(node.name);
  });
  return PARAMETERS.map((name) => {
    if (!lexical.has(name)) return name;
    let candidate = `__dynflow_${name}`;
    while (used.has(candidate)) candidate = `_${candidate}`;
    return candidate;
  });
}
