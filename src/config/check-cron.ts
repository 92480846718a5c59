/**
 * A loose check of cron expressions in audit schedules: five fields with
 * values in range, lists, ranges and steps, month and weekday names, and the
 * `@daily`-style macros. It catches typos when the config is read; the
 * scheduler owns the exact semantics.
 */

const MACROS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface Field {
  name: string;
  min: number;
  max: number;
  /** Names accepted instead of numbers, the first one worth `min` (`nameBase`). */
  names?: string[];
  nameBase?: number;
}

const FIELDS: readonly Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, nameBase: 1 },
  // 7 is Sunday too in most cron dialects.
  { name: "day of week", min: 0, max: 7, names: DAYS, nameBase: 0 },
];

/** Null when `expression` looks like valid cron, else what is wrong with it. */
export function checkCron(expression: string): string | null {
  const text = expression.trim();
  if (text.startsWith("@")) {
    return MACROS.has(text.toLowerCase()) ? null : `unknown cron macro "${text}" (use one of ${[...MACROS].join(", ")})`;
  }
  const parts = text.split(/\s+/).filter(Boolean);
  if (parts.length !== FIELDS.length) {
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has ${parts.length}`;
  }
  for (const [index, field] of FIELDS.entries()) {
    const problem = checkField(parts[index] ?? "", field);
    if (problem) return `${field.name}: ${problem}`;
  }
  return null;
}

function checkField(text: string, field: Field): string | null {
  for (const item of text.split(",")) {
    const [range = "", step, ...extra] = item.split("/");
    if (extra.length > 0) return `"${item}" has more than one "/"`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `step "${step}" must be a whole number from 1 up`;
    if (range === "*") continue;
    const [low = "", high, ...more] = range.split("-");
    if (more.length > 0) return `"${range}" is not a range`;
    const from = valueOf(low, field);
    if (from === null) return `"${low}" is not a value from ${field.min} to ${field.max}`;
    if (high === undefined) continue;
    const to = valueOf(high, field);
    if (to === null) return `"${high}" is not a value from ${field.min} to ${field.max}`;
    if (to < from) return `range "${range}" goes backwards`;
  }
  return null;
}

function valueOf(text: string, field: Field): number | null {
  if (/^\d{1,2}$/.test(text)) {
    const value = Number(text);
    return value >= field.min && value <= field.max ? value : null;
  }
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  return index >= 0 ? index + (field.nameBase ?? 0) : null;
}
