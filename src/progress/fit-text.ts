/**
 * Cutting text to GitHub's size limits without splitting a character: issue
 * comments count UTF-16 code units, the Checks API counts UTF-8 bytes.
 */

/** GitHub's limit on a check run's `output.summary` and `output.text`, in UTF-8 bytes. */
export const CHECK_OUTPUT_LIMIT = 65_535;

/** Text ending at a code-point boundary, at most `maxUnits` UTF-16 code units. */
function cutUnits(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  const cut = text.slice(0, Math.max(0, maxUnits));
  const last = cut.charCodeAt(cut.length - 1);
  // A lone high surrogate would be half a character.
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** `text` if it fits in `maxUnits` UTF-16 code units, else its head followed by `suffix`, fitting. */
export function fitLength(text: string, maxUnits: number, suffix = "…"): string {
  if (text.length <= maxUnits) return text;
  if (suffix.length >= maxUnits) return cutUnits(suffix, maxUnits);
  return cutUnits(text, maxUnits - suffix.length) + suffix;
}

/** `text` if it fits in `maxBytes` UTF-8 bytes, else its head followed by `suffix`, fitting. */
export function fitBytes(text: string, maxBytes: number, suffix = "…"): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(suffix, "utf8");
  if (room <= 0) return fitBytes(suffix, maxBytes, "");
  // Bytes grow with the cut, so a binary search finds the longest cut that
  // fits; every code unit is at least one byte, so none longer than `room` can.
  let low = 0;
  let high = Math.min(text.length, room);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(cutUnits(text, mid), "utf8") <= room) low = mid;
    else high = mid - 1;
  }
  return cutUnits(text, low) + suffix;
}
