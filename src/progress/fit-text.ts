/**
 * Cutting text to GitHub's size limits and to lengths a reader sees, without
 * splitting a character: issue comments count UTF-16 code units, the Checks
 * API counts UTF-8 bytes. The platform does the hard parts: `Intl.Segmenter`
 * finds user-perceived characters (an emoji with its skin tone or a letter
 * with its accent stays whole), `TextEncoder.encodeInto` finds the longest
 * prefix that fits in a number of bytes.
 */

/** GitHub's limit on a check run's `output.summary` and `output.text`, in UTF-8 bytes. */
export const CHECK_OUTPUT_LIMIT = 65_535;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const encoder = new TextEncoder();

/** The longest prefix of `text` that ends between two graphemes and has at most `maxUnits` UTF-16 code units. */
function cutAtGrapheme(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  // Segmenting a whole long text is slow; the boundaries that matter are near the cut. A window
  // start is taken as a boundary (wrong only inside a run of over 64 code units of one character).
  const from = Math.max(0, maxUnits - WINDOW);
  let end = from;
  for (const { index, segment } of graphemes.segment(text.slice(from, maxUnits + WINDOW))) {
    if (from + index + segment.length > maxUnits) break;
    end = from + index + segment.length;
  }
  return text.slice(0, end);
}

const WINDOW = 64;

/** `text` if it fits in `maxUnits` UTF-16 code units, else its head followed by `suffix`, fitting. */
export function fitLength(text: string, maxUnits: number, suffix = "…"): string {
  if (text.length <= maxUnits) return text;
  if (suffix.length >= maxUnits) return cutAtGrapheme(suffix, maxUnits);
  return cutAtGrapheme(text, maxUnits - suffix.length) + suffix;
}

/** `text` if it fits in `maxBytes` UTF-8 bytes, else its head followed by `suffix`, fitting. */
export function fitBytes(text: string, maxBytes: number, suffix = "…"): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(suffix, "utf8");
  if (room <= 0) return fitBytes(suffix, maxBytes, "");
  // encodeInto never writes part of a character; `read` is how many code units fit.
  const { read } = encoder.encodeInto(text, new Uint8Array(room));
  return cutAtGrapheme(text, read) + suffix;
}

/** Cuts `text` to at most `max` characters (graphemes), ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  if (!Number.isFinite(max) || text.length <= max) return text;
  const kept: string[] = [];
  let count = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (++count > max) return `${kept.slice(0, Math.max(0, max - 1)).join("")}…`;
    kept.push(segment);
  }
  return text;
}
