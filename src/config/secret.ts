/**
 * A configuration value that must never reach a log line, a comment, a
 * prompt or an error message. Serialising it (JSON, pino, `util.inspect`,
 * string interpolation) shows a placeholder; only `reveal()` gives the value,
 * so every place that uses a secret is easy to find.
 */
import { inspect } from "node:util";

export class Secret {
  readonly #value: string;
  readonly #display: string;

  /** `display` is what logs show instead, e.g. a URL without its password. */
  constructor(value: string, display = "[redacted]") {
    this.#value = value;
    this.#display = display;
  }

  /** The secret itself: pass it to the one client that needs it, nowhere else. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return this.#display;
  }

  toJSON(): string {
    return this.#display;
  }

  [inspect.custom](): string {
    return `Secret(${this.#display})`;
  }
}

/**
 * A URL with its user name and password removed, for logs:
 * `postgres://app:pw@db:5432/dynflow` → `postgres://***@db:5432/dynflow`.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hadCredentials = parsed.username !== "" || parsed.password !== "";
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    const text = parsed.toString();
    return hadCredentials ? text.replace("//", "//***@") : text;
  } catch {
    return "[redacted]";
  }
}
