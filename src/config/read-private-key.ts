/**
 * The App's private key from `PRIVATE_KEY` (PEM text, with `\n` escapes,
 * base64-encoded, or pasted on one line) or from the file at
 * `PRIVATE_KEY_PATH`. Decoding and checking the key is Probot's own
 * `@probot/get-private-key`, so dynflow accepts exactly the spellings Probot
 * does; what it cannot do is kept here: refusing both variables at once,
 * reading the file through the injected reader, and naming the variable at
 * fault without echoing the secret.
 */
import { getPrivateKey } from "@probot/get-private-key";
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
    const key = decode(content);
    if (key === null) report("PRIVATE_KEY_PATH", `"${path}" is not a PEM private key (-----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)`);
    return key;
  }
  if (text === undefined) return null;
  const key = decode(text);
  if (key === null) report("PRIVATE_KEY", "is not a PEM private key: expected -----BEGIN RSA PRIVATE KEY----- (or PRIVATE KEY) text, with \\n escapes, or that text base64-encoded");
  return key;
}

/** The key in one spelling whatever its source (trimmed, ending with a newline), or null when it is not one. */
function decode(text: string): Secret | null {
  try {
    // Given as PRIVATE_KEY only: the package then neither reads files nor looks for a *.pem in the working directory.
    const key = getPrivateKey({ env: { PRIVATE_KEY: text.trim() } });
    return key === null ? null : new Secret(`${key.trim()}\n`);
  } catch {
    return null;
  }
}
