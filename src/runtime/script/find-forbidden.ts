import type { AnyNode, Node, Program } from "acorn";
import * as walk from "acorn-walk";
import { patternNames } from "./pattern-names.js";
import { isMetaExport } from "./read-meta.js";
import { ScriptValidationError } from "./script-validation-error.js";

const SANDBOX_FIX = "Scripts run in a sandbox without modules; use the workflow globals (agent, parallel, pipeline, phase, log, args, workflow) instead";

/**
 * Throws a `script_forbidden` error for the first construct the sandbox does
 * not offer: module syntax (`import`, `import()`, `import.meta`, exports other
 * than the meta) and references to a `require` the script did not declare.
 * Rejecting them here gives the author a line number instead of a runtime
 * failure halfway through a run.
 */
export function assertNoForbiddenConstructs(program: Program, file: string): void {
  const fail = (node: Node, problem: string, fix: string): never => {
    const start = node.loc?.start ?? { line: 1, column: 0 };
    throw new ScriptValidationError("script_forbidden", { file, line: start.line, column: start.column + 1 }, problem, fix);
  };
  walk.ancestor(program, {
    ImportDeclaration: (node) => fail(node, "`import` declarations are not available", SANDBOX_FIX),
    ImportExpression: (node) => fail(node, "`import()` is not available", SANDBOX_FIX),
    MetaProperty: (node) => {
      if (node.meta.name === "import") fail(node, "`import.meta` is not available", SANDBOX_FIX);
    },
    ExportNamedDeclaration: (node) => {
      if (!isMetaExport(node)) fail(node, "only `export const meta` may be exported", "Remove `export` from this statement; top-level declarations are visible to the whole script");
    },
    ExportDefaultDeclaration: (node) => fail(node, "`export default` is not supported", "Remove it; the script's result is what its top level `return`s"),
    ExportAllDeclaration: (node) => fail(node, "`export * from` is not available", SANDBOX_FIX),
    Identifier: (node, _state, ancestors) => {
      if (node.name === "require" && !isDeclaredInScope("require", ancestors)) {
        fail(node, "`require` is not available", SANDBOX_FIX);
      }
    },
  });
}

/** True when some scope enclosing the reference (ancestors, outermost first) declares `name`. */
function isDeclaredInScope(name: string, ancestors: AnyNode[]): boolean {
  return ancestors.some((scope) => scopeDeclares(scope, name));
}

function scopeDeclares(scope: AnyNode, name: string): boolean {
  switch (scope.type) {
    case "Program":
      return scope.body.some((s) => statementDeclares(s, name)) || hoistedVarDeclares(scope, name);
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      return (
        (scope.type === "FunctionExpression" && scope.id?.name === name) ||
        scope.params.some((p) => patternNames(p).includes(name)) ||
        hoistedVarDeclares(scope.body, name)
      );
    case "BlockStatement":
    case "StaticBlock":
      return scope.body.some((s) => statementDeclares(s, name));
    case "SwitchStatement":
      return scope.cases.some((c) => c.consequent.some((s) => statementDeclares(s, name)));
    case "ForStatement":
      return scope.init?.type === "VariableDeclaration" && statementDeclares(scope.init, name);
    case "ForInStatement":
    case "ForOfStatement":
      return scope.left.type === "VariableDeclaration" && statementDeclares(scope.left, name);
    case "CatchClause":
      return scope.param !== null && scope.param !== undefined && patternNames(scope.param).includes(name);
    case "ClassExpression":
      return scope.id?.name === name;
    default:
      return false;
  }
}

/** Declarations a statement makes in the block it stands in. */
function statementDeclares(statement: AnyNode, name: string): boolean {
  switch (statement.type) {
    case "VariableDeclaration":
      return statement.declarations.some((d) => patternNames(d.id).includes(name));
    case "FunctionDeclaration":
    case "ClassDeclaration":
      return statement.id?.name === name;
    case "ExportNamedDeclaration":
      return statement.declaration ? statementDeclares(statement.declaration, name) : false;
    default:
      return false;
  }
}

/** `var` declarations anywhere under `node`, not looking into nested functions (where they belong). */
function hoistedVarDeclares(node: Node, name: string): boolean {
  let found = false;
  walk.simple(
    node,
    {
      VariableDeclaration: (declaration) => {
        if (declaration.kind === "var" && statementDeclares(declaration, name)) found = true;
      },
    },
    varScopeWalker,
  );
  return found;
}

const varScopeWalker = walk.make<unknown>({ Function: () => undefined });
