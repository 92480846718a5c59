/**
 * Base class of every error dynflow raises on purpose. `code` is stable and
 * machine-readable; branch on it (or on the subclass), never on `message`.
 */
export class DynflowError extends Error {
  /** Stable identifier, e.g. `script_timeout`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
