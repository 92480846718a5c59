/**
 * The task a workflow run was given in its `args`, in words, for titles and
 * reports: the args themselves when they are a string (`/dynflow run migrate
 * "move every fetchJson caller"`), else the first of `task`, `problem`,
 * `focus` or `description` that is a non-empty string (what the bundled
 * audit, migrate and review workflows take). Null when there is none. Pure.
 */
import type { JsonValue } from "../runtime/types.js";

const TASK_KEYS = ["task", "problem", "focus", "description"] as const;

export function taskOfArgs(args: JsonValue | undefined): string | null {
  if (typeof args === "string") return args.trim() || null;
  if (args === null || typeof args !== "object" || Array.isArray(args)) return null;
  for (const key of TASK_KEYS) {
    const value = args[key];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return null;
}
