/**
 * Globs (picomatch's syntax, dotfiles included) translated to linear-time
 * regular expressions. Backtracking matchers take time exponential in the
 * number of stars for some paths (`*a*a*a*a*a*a*a*a*b`, or the extglob
 * `+(a*)+(a*)+(a*)b`, ran for a minute per path); RE2 takes time linear in the
 * path whatever the glob. Supported: `*`, `**` (whole segments), `?`,
 * `[...]` classes (`!`/`^` negation, ranges, POSIX classes), `{a,b}` and
 * `{1..9}` braces, `(a|b)` groups, the extglobs `@( )`, `?( )`, `+( )`, `*( )`,
 * `\` escapes and a leading `!` that negates the whole glob. The `!( )`
 * extglob (negation inside a glob) has no linear-time form and is refused.
 */
import { RE2JS } from "re2js";
import { PatternError } from "./errors.js";

/** Longest glob compiled. */
export const MAX_GLOB_LENGTH = 1024;
/** Most alternatives one `{1..n}` range may expand to. */
const MAX_RANGE = 1000;
/** Deepest nesting of braces, groups and extglobs. */
const MAX_NESTING = 32;

const SEGMENT_OPENERS = new Set([undefined, "/", "{", ",", "(", "|"]);
const SEGMENT_CLOSERS = new Set([undefined, "/", "}", ",", ")", "|"]);
const POSIX_CLASSES = new Set(["alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word", "xdigit"]);

/** A compiled glob: a predicate over normalised repository paths. */
export type GlobMatcher = (path: string) => boolean;

export interface CompileGlobOptions {
  /** A glob without `/` matches base names anywhere (`*.ts` matches `src/a.ts`). */
  basename?: boolean;
}

/** Compiles `glob` into a linear-time predicate. Throws `PatternError` for what cannot be matched that way. */
export function compileGlob(glob: string, options: CompileGlobOptions = {}): GlobMatcher {
  const { source, negated, body, underBasename } = translateGlob(glob, options);
  const simple = simpleGlobMatcher(body, underBasename);
  if (simple !== undefined) return negated ? (path) => !simple(path) : simple;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, RE2JS.DOTALL);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : String(error);
    throw new PatternError("pattern_unsupported", "glob", glob, `it is too large to match in linear time (${detail})`);
  }
  return negated ? (path) => !compiled.testExact(path) : (path) => compiled.testExact(path);
}

/**
 * Most globs are literal text, `*` and at most one `**` segment (`lib/**`,
 * `**\/*.ts`, `src/*.js`). They are matched here segment by segment, in time
 * linear in the path, without RE2: the same answers as their RE2 form (which
 * `globToRegexSource` still checks), at a fraction of the cost, and no engine
 * warming up in a process's first run. Undefined for any other glob.
 * `underBasename` puts a `**` segment in front (a glob without `/` matched
 * against base names).
 */
function simpleGlobMatcher(body: string, underBasename: boolean): GlobMatcher | undefined {
  if (/[?[\]{}()\\]/.test(body)) return undefined;
  const segments = body.split("/");
  if (underBasename) segments.unshift("**");
  const globstar = segments.indexOf("**");
  if (globstar !== segments.lastIndexOf("**")) return undefined;
  if (globstar < 0) {
    const all = segments.map(segmentMatcher);
    return (path) => {
      const parts = path.split("/");
      return parts.length === all.length && all.every((match, i) => match(parts[i] as string));
    };
  }
  const head = segments.slice(0, globstar).map(segmentMatcher);
  const tail = segments.slice(globstar + 1).map(segmentMatcher);
  if (head.length === 0 && tail.length === 0) return () => true;
  // The two shapes most globs have, without splitting the path: `dir/sub/**` and `**/name`.
  if (tail.length === 0 && !segments.slice(0, globstar).some((segment) => segment.includes("*"))) {
    const prefix = segments.slice(0, globstar).join("/");
    return (path) => path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47);
  }
  if (head.length === 0 && tail.length === 1) {
    const last = tail[0] as (part: string) => boolean;
    return (path) => last(path.slice(path.lastIndexOf("/") + 1));
  }
  return (path) => {
    const parts = path.split("/");
    const from = parts.length - tail.length;
    if (from < head.length) return false;
    return head.every((match, i) => match(parts[i] as string)) && tail.every((match, i) => match(parts[from + i] as string));
  };
}

/** One segment of literal text and `*`s (any run of them matches any text without `/`). */
function segmentMatcher(segment: string): (part: string) => boolean {
  if (!segment.includes("*")) return (part) => part === segment;
  const pieces = segment.split(/\*+/);
  const first = pieces[0] as string;
  const last = pieces.at(-1) as string;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== "");
  const fixed = first.length + last.length;
  return (part) => {
    if (part.length < fixed || !part.startsWith(first) || !part.endsWith(last)) return false;
    // Each piece as early as it can be: for `*` alone between pieces, the leftmost match is never worse.
    let at = first.length;
    const end = part.length - last.length;
    for (const piece of middle) {
      const found = part.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

/** The RE2 source matching what `glob` matches (anchored by `testExact`), and whether a leading `!` negates it. */
export function globToRegexSource(glob: string, options: CompileGlobOptions = {}): { source: string; negated: boolean } {
  const { source, negated } = translateGlob(glob, options);
  return { source, negated };
}

/** `globToRegexSource`, with the glob after its leading `!`s (`body`) and whether base names are matched (`underBasename`). */
function translateGlob(glob: string, options: CompileGlobOptions): { source: string; negated: boolean; body: string; underBasename: boolean } {
  if (typeof glob !== "string") throw new PatternError("pattern_invalid", "glob", String(glob), "it is not a string");
  if (glob.length > MAX_GLOB_LENGTH) {
    throw new PatternError("pattern_too_long", "glob", glob, `it is ${glob.length} characters long; the limit is ${MAX_GLOB_LENGTH}`);
  }
  let start = 0;
  let negated = false;
  while (glob[start] === "!" && glob[start + 1] !== "(") {
    negated = !negated;
    start++;
  }
  const parser = new GlobParser(glob, start);
  const source = parser.sequence(new Set());
  if (parser.pos < glob.length) throw parser.fail(`unexpected "${glob[parser.pos]}" at position ${parser.pos + 1}`);
  const underBasename = options.basename === true && !glob.includes("/");
  return { source: underBasename ? `(?:.*/)?${source}` : source, negated, body: glob.slice(start), underBasename };
}

class GlobParser {
  pos: number;
  private depth = 0;

  constructor(
    private readonly glob: string,
    start: number,
  ) {
    this.pos = start;
  }

  fail(reason: string, code: "pattern_invalid" | "pattern_unsupported" = "pattern_invalid"): PatternError {
    return new PatternError(code, "glob", this.glob, reason);
  }

  /** Parses until the end or a character in `stop` (left unconsumed). */
  sequence(stop: ReadonlySet<string>): string {
    const g = this.glob;
    let out = "";
    while (this.pos < g.length && !stop.has(g[this.pos] as string)) {
      const c = g[this.pos] as string;
      const next = g[this.pos + 1];
      if (c === "\\") {
        out += next === undefined ? "\\\\" : RE2JS.quote(next);
        this.pos += 2;
      } else if (c === "/" && g.startsWith("**", this.pos + 1) && this.endsSegment(this.pos + 3, stop) && g[this.pos + 3] !== "/") {
        // `a/**`: a itself and everything below it.
        out += "(?:/.*)?";
        this.pos += 3;
      } else if (c === "*" && next === "*" && SEGMENT_OPENERS.has(g[this.pos - 1]) && this.endsSegment(this.pos + 2, stop)) {
        // `**/` is any number of whole directories, a lone `**` is anything.
        if (g[this.pos + 2] === "/") {
          out += "(?:.*/)?";
          this.pos += 3;
        } else {
          out += ".*";
          this.pos += 2;
        }
      } else if (c === "*" && next === "(") {
        out += this.group("*");
      } else if (c === "*") {
        while (g[this.pos] === "*") this.pos++;
        out += "[^/]*";
      } else if (next === "(" && (c === "?" || c === "+" || c === "@")) {
        out += this.group(c);
      } else if (c === "!" && next === "(") {
        throw this.fail("the !( ) extglob (everything except a pattern) cannot be matched in linear time; list what to match instead, or add a separate glob", "pattern_unsupported");
      } else if (c === "?") {
        out += "[^/]";
        this.pos++;
      } else if (c === "[") {
        out += this.characterClass();
      } else if (c === "{") {
        out += this.braces();
      } else if (c === "(") {
        out += this.group("");
      } else {
        out += RE2JS.quote(c);
        this.pos++;
      }
    }
    return out;
  }

  private endsSegment(at: number, stop: ReadonlySet<string>): boolean {
    const c = this.glob[at];
    return c === undefined || c === "/" || (stop.has(c) && SEGMENT_CLOSERS.has(c));
  }

  private nest<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) throw this.fail(`braces, groups and extglobs nest more than ${MAX_NESTING} deep`, "pattern_unsupported");
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** `(a|b)` and the extglobs `@( )`, `?( )`, `+( )`, `*( )`; `kind` is the character before `(`. */
  private group(kind: "" | "?" | "+" | "*" | "@"): string {
    const open = this.pos;
    this.pos += kind === "" ? 1 : 2;
    return this.nest(() => {
      const alternatives = [this.sequence(new Set(["|", ")"]))];
      while (this.glob[this.pos] === "|") {
        this.pos++;
        alternatives.push(this.sequence(new Set(["|", ")"])));
      }
      if (this.glob[this.pos] !== ")") throw this.fail(`the group opened at position ${open + 1} is not closed with ")"`);
      this.pos++;
      const quantifier = kind === "@" ? "" : kind;
      return `(?:${alternatives.join("|")})${quantifier}`;
    });
  }

  /** `{a,b}` alternatives, `{1..3}` ranges; a brace without either is literal text. */
  private braces(): string {
    const open = this.pos;
    const close = this.glob.indexOf("}", open);
    const range = close < 0 ? null : /^\{(-?\d{1,6})\.\.(-?\d{1,6})\}$/.exec(this.glob.slice(open, close + 1));
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (Math.abs(to - from) + 1 > MAX_RANGE) throw this.fail(`the range {${from}..${to}} has more than ${MAX_RANGE} values`, "pattern_unsupported");
      const step = from <= to ? 1 : -1;
      const values: string[] = [];
      for (let n = from; n !== to + step; n += step) values.push(String(n));
      this.pos = close + 1;
      return `(?:${values.join("|")})`;
    }
    this.pos++;
    return this.nest(() => {
      const alternatives = [this.sequence(new Set([",", "}"]))];
      while (this.glob[this.pos] === ",") {
        this.pos++;
        alternatives.push(this.sequence(new Set([",", "}"])));
      }
      if (this.glob[this.pos] !== "}") throw this.fail(`the brace opened at position ${open + 1} is not closed with "}"`);
      this.pos++;
      return alternatives.length === 1 ? `\\{${alternatives[0]}\\}` : `(?:${alternatives.join("|")})`;
    });
  }

  /** `[abc]`, `[a-z]`, `[!a]`/`[^a]`, `[[:alpha:]]`; an unclosed `[` is a literal. */
  private characterClass(): string {
    const g = this.glob;
    let i = this.pos + 1;
    const negated = g[i] === "!" || g[i] === "^";
    if (negated) i++;
    let body = "";
    let first = true;
    while (i < g.length && (g[i] !== "]" || first)) {
      const c = g[i] as string;
      first = false;
      if (c === "[" && g[i + 1] === ":") {
        const end = g.indexOf(":]", i + 2);
        const name = end < 0 ? "" : g.slice(i + 2, end);
        if (!POSIX_CLASSES.has(name)) throw this.fail(`unknown character class "[:${name}:]"`);
        body += `[:${name}:]`;
        i = end + 2;
      } else if (c === "\\" && i + 1 < g.length) {
        body += classLiteral(g[i + 1] as string);
        i += 2;
      } else if (c === "-" && body !== "" && g[i + 1] !== "]" && i + 1 < g.length) {
        body += "-";
        i++;
      } else {
        body += classLiteral(c);
        i++;
      }
    }
    if (i >= g.length) {
      this.pos++;
      return "\\[";
    }
    this.pos = i + 1;
    // A class never matches "/", which separates segments.
    return negated ? `[^/${body}]` : `[${body}]`;
  }
}

function classLiteral(c: string): string {
  return /[\\\][^-]/.test(c) ? `\\${c}` : c;
}
