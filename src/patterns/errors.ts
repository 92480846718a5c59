/**
 * Errors of pattern compilation. Patterns come from scripts, models and
 * config; their messages are shown to whoever wrote the pattern (a tool
 * error for an agent, a schema error for a script), so they name the pattern,
 * what is wrong, and what to write instead.
 */
import { DynflowError } from "../errors.js";

/** Why a pattern was refused. */
export type PatternErrorCode = "pattern_invalid" | "pattern_unsupported" | "pattern_too_long";

/** A regular expression or glob that dynflow will not run. */
export class PatternError extends DynflowError {
  declare readonly code: PatternErrorCode;
  /** The pattern as given. */
  readonly pattern: string;
  /** `regex` or `glob`. */
  readonly kind: "regex" | "glob";
  /** What is wrong, without the pattern, e.g. `backreferences are not supported`. */
  readonly reason: string;

  constructor(code: PatternErrorCode, kind: "regex" | "glob", pattern: string, reason: string) {
    const shown = pattern.length > 120 ? `${pattern.slice(0, 120)}…` : pattern;
    super(code, `${kind === "regex" ? "regular expression" : "glob"} ${JSON.stringify(shown)} cannot be used: ${reason}`);
    this.pattern = pattern;
    this.kind = kind;
    this.reason = reason;
  }
}
