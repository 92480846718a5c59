/**
 * Delimits untrusted text (repository contents, comment text, repo config,
 * and whatever one agent wrote that another agent reads) inside a prompt, so
 * the model can tell data from instructions.
 */

/**
 * Characters that render as nothing (zero-width, joiners, bidi controls, BOM),
 * removed before tags are looked for. One character class: linear whatever the text.
 */
// eslint-disable-next-line no-misleading-character-class -- combining marks are listed on purpose, one code point each
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]/g;
/** Characters a model may read as `<`, beyond `<` itself (full-width and small forms fold to it under NFKC). */
const OPENER = /[<\u2039\u2329\u27e8\u3008\u276e]/g;

/**
 * The text a model reads: compatibility forms folded (`＜` is `<`), invisible
 * characters dropped. Linear in the text.
 */
export function normalizeForPrompt(text: string): string {
  return text.normalize("NFKC").replace(INVISIBLE, "");
}

/**
 * Wraps `text` in `<tag>...</tag>`. The text is normalised first (see
 * `normalizeForPrompt`), then every marker that could read as the tag's own
 * opening or closing (`</task>`, `< / TASK`, `〈/task`) is defused (`<\/task`),
 * so content cannot end its block early and pose as instructions that follow.
 * A linear scan: no pattern here can backtrack over the untrusted text.
 */
export function fenceUntrusted(tag: string, text: string, attributes: Record<string, string> = {}): string {
  const safe = defuseTag(normalizeForPrompt(text), tag.toLowerCase());
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}=${JSON.stringify(value)}`)
    .join("");
  return `<${tag}${attrs}>\n${safe}\n</${tag}>`;
}

function defuseTag(text: string, tag: string): string {
  let out = "";
  let copied = 0;
  OPENER.lastIndex = 0;
  for (let match = OPENER.exec(text); match !== null; match = OPENER.exec(text)) {
    const at = match.index;
    // After the bracket: spaces and at most one slash, then the tag's name, not followed by a name character.
    let j = at + 1;
    let slash = false;
    while (j < text.length && (text[j] === " " || text[j] === "\t" || (text[j] === "/" && !slash))) {
      if (text[j] === "/") slash = true;
      j++;
    }
    const after = text[j + tag.length];
    if (text.slice(j, j + tag.length).toLowerCase() !== tag || (after !== undefined && /[\w-]/.test(after))) continue;
    out += `${text.slice(copied, at)}<${slash ? "\\/" : "\\"}${text.slice(j, j + tag.length)}`;
    copied = j + tag.length;
    OPENER.lastIndex = copied;
  }
  return out + text.slice(copied);
}

/** Replaces control and line-breaking characters (newlines in file names, escape codes) so one path stays one line. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, "?");
}
