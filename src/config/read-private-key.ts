/**
 * The App's private key from `PRIVATE_KEY` (PEM text, with `\n` escapes or
 * base64-encoded, as .env files and CI secrets hold it on one line) or from
 * the file at `PRIVATE_KEY_PATH`.
 */
import { Secret } from "./secret.js";

type Report = (variable: string, message: string) => void;

/** The key, or null when unset or invalid (then `report` was told why). */
export function readPrivateKey(text: string | undefined, path: string | undefined, readFile: (path: string) => string, report: Report): Secret | null {
  if (text !== undefined && path !== undefined) {
    report("PRIVATE_KEY_PATH", "set either PRIVATE_KEY or PRIVATE_KEY_PATH, not both");
    return null;
  }
  if (path !== undefined) {
    let content: string;
    try {
      content = readFile(path);
    } catch (error) {
      report("PRIVATE_KEY_PATH", `cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
      return null;
    }
    if (isPem(content)) return pemSecret(content);
    report("PRIVATE_KEY_PATH", `"${path}" is not a PEM private key (-----BEGIN ... PRIVATE KEY-----)`);
    return null;
  }
  if (text === undefined) return null;
  const unescaped = text.replace(/\\n/g, "\n");
  if (isPem(unescaped)) return pemSecret(unescaped);
  const decoded = Buffer.from(text, "base64").toString("utf8");
  if (isPem(decoded)) return pemSecret(decoded);
  report("PRIVATE_KEY", "is not a PEM private key: expected -----BEGIN ... PRIVATE KEY----- text, or that text base64-encoded");
  return null;
}

/** One spelling of the key whatever its source: trimmed, ending with a newline. */
function pemSecret(text: string): Secret {
  return new Secret(`${text.trim()}\n`);
}

function isPem(text: string): boolean {
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/.test(text);
}
