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

/**
 * The built-ins' source: one function scope, so helpers stay private, that
 * defines the globals (writable and configurable, as in browsers and Node).
 * It reads the bridge's `notify` for `console` before the prelude hides it.
 */
export const BUILTINS_SOURCE = `(function () {
"use strict";
var notify = globalThis.__dynflow.notify;
${ENCODING_SOURCE}
${URL_SOURCE}
${CLONE_SOURCE}
${NUMBER_FORMAT_SOURCE}
${CONSOLE_SOURCE}
var globals = { URL: URL, URLSearchParams: URLSearchParams, structuredClone: structuredClone, TextEncoder: TextEncoder, TextDecoder: TextDecoder, atob: atob, btoa: btoa, Intl: Intl, console: console };
Object.keys(globals).forEach(function (name) {
  Object.defineProperty(globalThis, name, { value: globals[name], writable: true, configurable: true, enumerable: false });
});
function defineLocale(proto, convert) {
  Object.defineProperty(proto, "toLocaleString", {
    value: function toLocaleString(locales, options) { return toLocaleStringOf(convert(this), locales, options); },
    writable: true, configurable: true, enumerable: false,
  });
}
defineLocale(Number.prototype, function (v) { return Number(v); });
if (typeof BigInt === "function") defineLocale(BigInt.prototype, function (v) { return BigInt(v); });
})();`;
