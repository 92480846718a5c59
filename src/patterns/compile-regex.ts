/**
 * Regular expressions from scripts, models and repositories run on RE2JS, a
 * linear-time engine: matching costs time proportional to the input whatever
 * the pattern, so `^(a+)+$` cannot stall the process that serves every other
 * repository. Patterns are written in JavaScript syntax (checked as such, so
 * their meaning does not change) and translated to RE2's; what cannot run in
 * linear time (lookaround, backreferences) is refused with a `PatternError`.
 */
import { RE2JS } from "re2js";
import { PatternError } from "./errors.js";

/** Longest pattern compiled; RE2's compile time and memory grow with the pattern. */
export const MAX_REGEX_LENGTH = 4096;

/** A compiled linear-time regular expression. */
export interface LinearRegex {
  /** The pattern as given (JavaScript syntax). */
  readonly source: string;
  /** JavaScript-style flags it was compiled with (`i`, `m`, `s`, `u`). */
  readonly flags: string;
  /** True when the pattern matches somewhere in `text`. */
  test(text: string): boolean;
}

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

/**
 * Compiles a JavaScript-syntax pattern for linear-time matching. `flags` may
 * hold `i`, `m`, `s` (applied), `u` (RE2 always reads code points) and
 * `g`/`y`/`d` (ignored: only `test` is offered). Throws `PatternError`.
 */
export function compileLinearRegex(pattern: string, flags = ""): LinearRegex {
  // Agents of a run search for the same few patterns again and again, and RE2's compile costs far more than a lookup.
  if (typeof pattern !== "string" || typeof flags !== "string") return compileUncached(pattern, flags);
  const key = `${flags}\0${pattern}`;
  const regex = compiledCache.get(key) ?? compileUncached(pattern, flags);
  // Re-inserted, so the map's order is least recently used first.
  compiledCache.delete(key);
  compiledCache.set(key, regex);
  if (compiledCache.size > CACHED_PATTERNS) compiledCache.delete(compiledCache.keys().next().value as string);
  return regex;
}

/** Patterns kept compiled, least recently used dropped first (each at most `MAX_REGEX_LENGTH` long). */
const CACHED_PATTERNS = 128;
const compiledCache = new Map<string, LinearRegex>();

function compileUncached(pattern: string, flags: string): LinearRegex {
  if (typeof pattern !== "string") throw new PatternError("pattern_invalid", "regex", String(pattern), "it is not a string");
  if (pattern.length > MAX_REGEX_LENGTH) {
    throw new PatternError("pattern_too_long", "regex", pattern, `it is ${pattern.length} characters long; the limit is ${MAX_REGEX_LENGTH}`);
  }
  let bits = 0;
  for (const flag of flags) {
    if (Object.hasOwn(FLAG_BITS, flag)) bits |= FLAG_BITS[flag] as number;
    else if (!"guyd".includes(flag)) throw new PatternError("pattern_invalid", "regex", pattern, `unknown flag "${flag}"`);
  }
  // Compiling (never running) the JavaScript form proves the syntax is JavaScript's; it costs time linear in the pattern.
  try {
    new RegExp(pattern, flags.includes("u") ? "u" : "");
  } catch (error) {
    throw new PatternError("pattern_invalid", "regex", pattern, error instanceof Error ? error.message.replace(/^Invalid regular expression: /, "") : String(error));
  }
  const unsupported = findNonLinearConstruct(pattern);
  if (unsupported) throw new PatternError("pattern_unsupported", "regex", pattern, `${unsupported} cannot run in linear time and is not supported; match the text itself instead`);
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(pattern), bits);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : String(error);
    throw new PatternError("pattern_unsupported", "regex", pattern, `the linear-time engine refuses it (${detail}); use smaller repetition counts or simpler syntax`);
  }
  const kept = [...new Set(flags)].filter((f) => "imsu".includes(f)).join("");
  return Object.freeze({ source: pattern, flags: kept, test: (text: string) => compiled.test(text) });
}

/**
 * The first lookaround or backreference outside a character class, named for
 * the message; null when there is none. A single left-to-right scan.
 */
function findNonLinearConstruct(pattern: string): string | null {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (!inClass && ((next >= "1" && next <= "9") || (next === "k" && pattern[i + 2] === "<"))) return `the backreference "\\${next}"`;
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
    } else if (c === "(" && pattern[i + 1] === "?") {
      const head = pattern.slice(i, i + 4);
      if (head.startsWith("(?=") || head.startsWith("(?!")) return "lookahead";
      if (head === "(?<=" || head === "(?<!") return "lookbehind";
    }
  }
  return null;
}
