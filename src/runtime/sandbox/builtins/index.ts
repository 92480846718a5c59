/**
 * The standard built-ins a dynflow script has beyond the language itself, as
 * Claude Code's scripts use them: `URL`, `URLSearchParams`, `structuredClone`,
 * `TextEncoder`, `TextDecoder`, `atob`, `btoa`, `Intl.NumberFormat` (English),
 * number `toLocaleString`, and `console` (into the run's log). All of it is
 * plain JavaScript evaluated inside the sandbox after the bridge: deterministic,
 * under the same CPU and memory limits as the script, with no new way out.
 */
import { CLONE_SOURCE } from "./clone-source.js";
import { CONSOLE_SOURCE } from "./console-source.js";
import { ENCODING_SOURCE } from "./encoding-source.js";
import { NUMBER_FORMAT_SOURCE } from "./number-format-source.js";
import { URL_SOURCE } from "./url-source.js";

/** File name of the built-ins in error locations (skipped like the sandbox's other guest code). */
export const BUILTINS_FILE = "dynflow:builtins";

/** Guest globals the built-ins define, in the order they are installed. */
export const BUILTIN_GLOBALS = ["URL", "URLSearchParams", "structuredClone", "TextEncoder", "TextDecoder", "atob", "btoa", "Intl", "console"] as const;

/** Each built-in's module: guest source of a function that returns its globals (the console's takes `notify`). */
const MODULES: Readonly<Record<string, string>> = Object.freeze({
  text: `(function () {\n"use strict";\n${ENCODING_SOURCE}\nreturn { TextEncoder: TextEncoder, TextDecoder: TextDecoder, atob: atob, btoa: btoa };\n})`,
  url: `(function () {\n"use strict";\n${ENCODING_SOURCE}\n${URL_SOURCE}\nreturn { URL: URL, URLSearchParams: URLSearchParams };\n})`,
  clone: `(function () {\n"use strict";\n${CLONE_SOURCE}\nreturn { structuredClone: structuredClone };\n})`,
  intl: `(function () {\n"use strict";\n${NUMBER_FORMAT_SOURCE}\nreturn { Intl: Intl, toLocaleStringOf: toLocaleStringOf };\n})`,
  console: `(function (notify) {\n"use strict";\n${CONSOLE_SOURCE}\nreturn { console: console };\n})`,
});

/** The guest source of the built-in module `name` (what the installer's `source` answers), or null for no such module. */
export function builtinModuleSource(name: string): string | null {
  return Object.hasOwn(MODULES, name) ? (MODULES[name] as string) : null;
}

/** Which module defines each global. */
const GLOBAL_MODULES: Readonly<Record<(typeof BUILTIN_GLOBALS)[number], string>> = {
  URL: "url",
  URLSearchParams: "url",
  structuredClone: "clone",
  TextEncoder: "text",
  TextDecoder: "text",
  atob: "text",
  btoa: "text",
  Intl: "intl",
  console: "console",
};

/**
 * The built-ins' installer: a function the sandbox calls with `source`, a
 * host function that answers a module's source by name. Each global starts
 * as an accessor that fetches and evaluates its module the first time a
 * script touches it, then becomes a plain value (writable and configurable,
 * as in browsers and Node): a script pays only for what it uses, inside its
 * own CPU budget, and a sandbox's start copies a few lines into the engine
 * instead of every module's source. The installer keeps `eval` and the
 * bridge's `notify` (for `console`) before the prelude hides the bridge and
 * the script could replace `eval`.
 */
export const BUILTINS_SOURCE = `(function (source) {
"use strict";
var notify = globalThis.__dynflow.notify;
var evaluate = globalThis.eval;
var defineProperty = Object.defineProperty;
var globals = ${JSON.stringify(GLOBAL_MODULES)};
var loaded = Object.create(null);
function load(name) {
  if (loaded[name] === undefined) loaded[name] = evaluate(source(name))(notify);
  return loaded[name];
}
function settle(name, value) {
  defineProperty(globalThis, name, { value: value, writable: true, configurable: true, enumerable: false });
}
Object.keys(globals).forEach(function (name) {
  defineProperty(globalThis, name, {
    configurable: true,
    enumerable: false,
    get: function () {
      var value = load(globals[name])[name];
      settle(name, value);
      return value;
    },
    set: function (value) { settle(name, value); },
  });
});
function defineLocale(proto, convert) {
  defineProperty(proto, "toLocaleString", {
    value: function toLocaleString(locales, options) { return load("intl").toLocaleStringOf(convert(this), locales, options); },
    writable: true, configurable: true, enumerable: false,
  });
}
defineLocale(Number.prototype, function (v) { return Number(v); });
if (typeof BigInt === "function") defineLocale(BigInt.prototype, function (v) { return BigInt(v); });
})`;
