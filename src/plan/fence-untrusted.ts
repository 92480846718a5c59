/**
 * Delimits untrusted text (repository contents, comment text, repo config,
 * and whatever one agent wrote that another agent reads) inside a prompt, so
 * the model can tell data from instructions.
 */

/** Characters that render as nothing (zero-width, joiners, bidi controls, BOM): removed before tags are looked for. */
const INVISIBLE = new Set([0x00ad, 0x034f, 0x061c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x3164, 0xfeff, 0xffa0]);
const INVISIBLE_RANGES: [number, number][] = [
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0xfe00, 0xfe0f],
];
/** Characters a model may read as `<`, beyond `<` itself (full-width and small forms fold to it under NFKC). */
const OPENERS = new Set(["<", "\u2039", "\u2329", "\u27e8", "\u3008", "\u276e"]);

function isInvisible(code: number): boolean {
  return INVISIBLE.has(code) || INVISIBLE_RANGES.some(([from, to]) => code >= from && code <= to);
}

/**
 * The text a model reads: compatibility forms folded (`＜` is `<`), invisible
 * characters dropped. One pass, linear in the text.
 */
export function normalizeForPrompt(text: string): string {
  let out = "";
  for (const char of text.normalize("NFKC")) {
    if (!isInvisible(char.codePointAt(0) as number)) out += char;
  }
  return out;
}

/**
 * Wraps `text` in `<tag>...</tag>`. The text is normalised first (see
 * `normalizeForPrompt`), then every marker that could read as the tag's own
 * opening or closing (`</task>`, `< / TASK`, `〈/task`) is defused (`<\/task`),
 * so content cannot end its block early and pose as instructions that follow.
 * A linear scan, never a pattern over the untrusted text.
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
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (!OPENERS.has(char)) {
      out += char;
      i++;
      continue;
    }
    // After the bracket: spaces and at most one slash, then the tag's name, not followed by a name character.
    let j = i + 1;
    let slash = false;
    while (j < text.length && (text[j] === " " || text[j] === "\t" || (text[j] === "/" && !slash))) {
      if (text[j] === "/") slash = true;
      j++;
    }
    const name = text.slice(j, j + tag.length).toLowerCase();
    const after = text[j + tag.length];
    const continues = after !== undefined && /[\w-]/.test(after);
    if (name === tag && !continues) {
      out += `<${slash ? "\\/" : "\\"}${text.slice(j, j + tag.length)}`;
      i = j + tag.length;
    } else {
      out += char;
      i++;
    }
  }
  return out;
}

/** Replaces control and line-breaking characters (newlines in file names, escape codes) so one path stays one line. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, "?");
}
