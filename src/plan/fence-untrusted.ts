/**
 * Delimits untrusted text (repository contents, comment text, repo config)
 * inside a prompt, so the model can tell data from instructions.
 */

/**
 * Wraps `text` in `<tag>...</tag>`. Any occurrence of the tag's own opening or
 * closing marker inside `text` is defused (`<\/tag`), so content cannot end
 * its block early and pose as instructions that follow it.
 */
export function fenceUntrusted(tag: string, text: string, attributes: Record<string, string> = {}): string {
  const marker = new RegExp(`<(/?)(${tag})(?![\\w-])`, "gi");
  const safe = text.replace(marker, (_match, slash: string, name: string) => `<${slash === "/" ? "\\/" : "\\"}${name}`);
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}=${JSON.stringify(value)}`)
    .join("");
  return `<${tag}${attrs}>\n${safe}\n</${tag}>`;
}

/** Replaces control characters (newlines in file names, escape codes) so one path stays one line. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, "?");
}
