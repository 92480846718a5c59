/**
 * Turns zod's issues into one `{ path, message }` per problem, in words a
 * person editing YAML can act on: the dotted path of the setting, what it
 * must be, what it was, and for a misspelt key the key that was meant.
 */
import type { z } from "zod";

/** One problem in a configuration file. `path` is "" for the file as a whole. */
export interface ConfigError {
  /** Dotted path of the setting, with list positions in brackets: `audits[0].cron`. */
  path: string;
  message: string;
}

/** The keys allowed in the object at `path` (positions in lists already dropped), when known. */
export type KnownKeys = (path: readonly PropertyKey[]) => readonly string[] | undefined;

/** `["audits", 0, "cron"]` → `audits[0].cron`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? String(key) : `.${String(key)}`;
  }
  return text;
}

/** Every issue becomes at least one error; unknown keys become one error each. */
export function toConfigErrors(issues: readonly z.core.$ZodIssue[], knownKeys: KnownKeys = () => undefined): ConfigError[] {
  return issues.flatMap((issue): ConfigError[] => {
    const path = issue.path as PropertyKey[];
    switch (issue.code) {
      case "unrecognized_keys":
        return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: unknownKeyMessage(key, knownKeys(path) ?? []) }));
      case "invalid_key":
        return [{ path: formatPath(path), message: `is not a valid key: ${issue.issues[0]?.message ?? issue.message}` }];
      case "invalid_type":
      case "too_small":
      case "too_big":
      case "invalid_value":
      case "invalid_format":
        if (issue.input === undefined) return [{ path: formatPath(path), message: `is required: it ${issue.message}` }];
        return [{ path: formatPath(path), message: `${issue.message} (got ${describe(issue.input)})` }];
      default:
        return [{ path: formatPath(path), message: issue.message }];
    }
  });
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const nearest = known
    .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
    .filter(({ distance }) => distance <= Math.max(1, Math.floor(key.length / 4)))
    .sort((a, b) => a.distance - b.distance)[0];
  if (nearest) return `is not a setting dynflow knows; did you mean ${nearest.candidate}?`;
  return known.length > 0 ? `is not a setting dynflow knows (settings here: ${known.join(", ")})` : "is not a setting dynflow knows";
}

/** A short, safe rendering of the offending value. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "a mapping";
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** Edit distance counting a swap of neighbours as one edit (`cpas` → `caps`); keys are short. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
