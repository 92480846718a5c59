/**
 * Pulls what a task names from its words: paths (`src/http/client.ts`,
 * `src/billing/`) and code identifiers (`fetchJson`, `HttpClient`,
 * `MAX_RETRIES`, `client.get`). Pure; plain English words are left alone so
 * a search does not match half the repository.
 */

export interface TaskTerms {
  /** Path-like terms, in order of appearance (file, directory or base name). */
  paths: string[];
  /** Identifier-like terms, in order of appearance. */
  identifiers: string[];
}

/** A JavaScript-like identifier, optionally dotted (`client.get`). */
const IDENTIFIER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
/** `fetchJson`, `HttpClient`, `MAX_RETRIES`, `fetch_json`, `$store`: shapes that are code, not prose. */
const CODE_SHAPED = [/[a-z0-9][A-Z]/, /_/, /\$/, /\./];
/** `src/x.ts`, `lib/`, `parse-script.ts`: has a slash, or a name of 2+ characters and a short extension (not `e.g`). */
const PATH_SHAPED = /\/|^[\w-][\w.-]+\.[A-Za-z][A-Za-z0-9]{0,7}$/;

const MIN_IDENTIFIER = 3;
const DEFAULT_MAX_TERMS = 12;

/** Extracts up to `maxTerms` paths and `maxTerms` identifiers from `task`. */
export function extractTaskTerms(task: string, maxTerms = DEFAULT_MAX_TERMS): TaskTerms {
  const paths = new Set<string>();
  const identifiers = new Set<string>();
  const addIdentifier = (word: string, quoted: boolean) => {
    const bare = word.replace(/\(\)$/, "");
    const called = bare !== word;
    if (bare.length < MIN_IDENTIFIER || !IDENTIFIER.test(bare)) return;
    // `e.g`, `i.e`: abbreviations, not member accesses.
    if (bare.split(".").some((part) => part.length < 2)) return;
    // Quoted or called (`name()`) words are code by the author's say-so; bare words must look like code.
    if (quoted || called || CODE_SHAPED.some((shape) => shape.test(bare))) identifiers.add(bare);
  };

  // Backticked spans first: the author marked them as code.
  for (const match of task.matchAll(/`([^`\n]{1,200})`/g)) {
    const span = (match[1] as string).trim();
    if (PATH_SHAPED.test(span) && !/\s/.test(span)) paths.add(stripPath(span));
    if (IDENTIFIER.test(span.replace(/\(\)$/, ""))) {
      addIdentifier(span, true);
      continue;
    }
    // A code snippet (`fetch(url, opts)`): what it calls, and code-shaped names in it.
    for (const [, name = "", call] of span.matchAll(/([A-Za-z_$][\w$.]*)(\()?/g)) addIdentifier(trimDots(name) + (call ? "()" : ""), false);
  }

  const prose = task.replace(/`[^`\n]{1,200}`/g, " ").replace(/\bhttps?:\/\/\S+/gi, " ");
  for (const raw of prose.split(/[\s,;:!?"'<>[\]{}|]+/)) {
    const word = trimWord(raw);
    if (word === "") continue;
    if (PATH_SHAPED.test(word)) paths.add(stripPath(word));
    addIdentifier(trimDots(word), false);
  }

  return {
    paths: [...paths].filter((p) => p !== "").slice(0, maxTerms),
    identifiers: [...identifiers].slice(0, maxTerms),
  };
}

/** `./src/x.ts` → `src/x.ts`; trailing punctuation was removed already. */
function stripPath(path: string): string {
  return path.replace(/^(?:\.\/)+/, "").replace(/^\/+/, "");
}

/** Drops sentence punctuation around a word but keeps a call's `()`: `(see client.get()).` → `client.get()`. */
function trimWord(raw: string): string {
  let word = raw.replace(/^\(+/, "").replace(/\.+$/, "");
  const count = (c: string) => word.split(c).length - 1;
  while (word.endsWith(")") && count(")") > count("(")) word = word.slice(0, -1).replace(/\.+$/, "");
  return word;
}

function trimDots(word: string): string {
  return word.replace(/^\.+|\.+$/g, "");
}
