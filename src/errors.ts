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

/** The text of whatever was thrown: an error's message, anything else as a string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why `signal` aborted, in words: the reason's message or text, else "cancelled". */
export function abortReasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === "string" ? reason : "cancelled";
}
