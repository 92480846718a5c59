import { DynflowError } from "../../errors.js";
import type { RunErrorInfo } from "../types.js";

/** Why a script was rejected before it ran. */
export type ScriptValidationCode =
  /** Not valid JavaScript. */
  | "script_syntax"
  /** `export const meta` is missing, misplaced, not a plain literal, or has bad fields. */
  | "script_meta"
  /** Uses something the sandbox does not offer (modules, `require`, other exports). */
  | "script_forbidden"
  /** Any other reason. */
  | "script_invalid";

/** Where in the script a problem is, 1-based. */
export interface ScriptLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * A plan script was rejected before running. The message names the file, line
 * and column, says what is wrong and what to write instead, so it can be fed
 * back to the model that wrote the script.
 */
export class ScriptValidationError extends DynflowError {
  declare readonly code: ScriptValidationCode;
  /** Script file name, e.g. `script.js`. */
  readonly file: string;
  /** 1-based line of the problem. */
  readonly line: number;
  /** 1-based column of the problem. */
  readonly column: number;

  constructor(code: ScriptValidationCode, location: ScriptLocation, problem: string, fix: string) {
    super(code, `${location.file}, line ${location.line}, column ${location.column}: ${problem}. ${fix}`);
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
  }

  /** The error as a run reports it. */
  toRunErrorInfo(): RunErrorInfo {
    return { code: this.code, message: this.message, line: this.line, file: this.file };
  }
}
