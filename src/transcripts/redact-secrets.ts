/**
 * Removes secrets from text before it is stored: the values the process
 * knows to be secret, and anything shaped like a credential (GitHub tokens,
 * API keys, private key blocks), whoever put it there. Linear time: plain
 * searches and regular expressions without nested repetition.
 */

const REDACTED = "[redacted]";

/**
 * Credential shapes (GitHub tokens, Anthropic keys, Slack tokens, AWS key
 * ids), each a literal prefix and one character class repeated a bounded
 * number of times, searched in one pass.
 */
const TOKEN_PATTERN = /\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255}|sk-ant-[A-Za-z0-9_-]{10,255}|xox[abprs]-[A-Za-z0-9-]{10,255}|AKIA[0-9A-Z]{16}\b)/g;

const KEY_BEGIN = /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----/g;
const KEY_END = "-----END ";
const KEY_END_TAIL = "PRIVATE KEY-----";

/** `text` with every known secret and credential-shaped string replaced by `[redacted]`. */
export function redactSecrets(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of known) {
    // Very short values would blank ordinary words; the patterns below still apply.
    if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  if (out.includes("PRIVATE KEY-----")) out = redactKeyBlocks(out);
  return out.replace(TOKEN_PATTERN, REDACTED);
}

/** Replaces each `-----BEGIN … PRIVATE KEY-----` block up to its end line (or the end of the text). */
function redactKeyBlocks(text: string): string {
  let out = "";
  let from = 0;
  KEY_BEGIN.lastIndex = 0;
  for (let match = KEY_BEGIN.exec(text); match !== null; match = KEY_BEGIN.exec(text)) {
    if (match.index < from) continue;
    const bodyStart = match.index + match[0].length;
    const endLine = text.indexOf(KEY_END, bodyStart);
    const end = endLine < 0 ? -1 : text.indexOf(KEY_END_TAIL, endLine);
    out += text.slice(from, match.index) + REDACTED;
    from = end < 0 ? text.length : end + KEY_END_TAIL.length;
    KEY_BEGIN.lastIndex = from;
  }
  return out + text.slice(from);
}
