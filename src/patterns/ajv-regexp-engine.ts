/**
 * The `code.regExp` engine ajv validates `pattern` and `patternProperties`
 * with: the linear-time engine instead of `new RegExp`, so a schema a script
 * wrote cannot make validating a model's output take exponential time.
 */
import type { Options } from "ajv";
import { compileLinearRegex } from "./compile-regex.js";

type RegExpEngine = NonNullable<NonNullable<Options["code"]>["regExp"]>;

function linearRegExp(pattern: string, flags: string) {
  const regex = compileLinearRegex(pattern, flags);
  // ajv keys compiled patterns by `toString()`; two patterns must not share a key.
  return { test: (text: string) => regex.test(text), toString: () => `/${pattern}/${flags}` };
}

/** Pass as `new Ajv({ code: { regExp: ajvRegExpEngine } })`. */
export const ajvRegExpEngine: RegExpEngine = Object.assign(linearRegExp, {
  // Only read by ajv's standalone code generation, which dynflow does not use.
  code: 'require("dynflow/patterns").ajvRegExpEngine',
});
