/**
 * Turns file bytes into the text a reader asked for: binary detection and
 * 1-based line ranges.
 */
import type { ReadOptions, ReadResult } from "./types.js";

/** Git's own heuristic: a NUL byte in the first 8,000 bytes means binary. */
export function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

/** Cuts `text` to the 1-based inclusive line range, keeping line endings. */
export function sliceLines(path: string, bytes: Buffer, options: ReadOptions = {}): ReadResult {
  if (isBinary(bytes)) return { path, text: "", totalLines: 0, startLine: 1, endLine: 0, binary: true };
  const text = bytes.toString("utf8");
  const starts = [0];
  for (let at = text.indexOf("\n"); at >= 0 && at + 1 < text.length; at = text.indexOf("\n", at + 1)) starts.push(at + 1);
  const totalLines = text.length === 0 ? 0 : starts.length;
  const startLine = Math.max(1, Math.floor(options.startLine ?? 1));
  const endLine = Math.min(totalLines, Math.floor(options.endLine ?? totalLines));
  if (startLine === 1 && endLine === totalLines) return { path, text, totalLines, startLine, endLine, binary: false };
  if (endLine < startLine) return { path, text: "", totalLines, startLine, endLine, binary: false };
  const from = starts[startLine - 1] as number;
  const to = starts[endLine] ?? text.length;
  return { path, text: text.slice(from, to), totalLines, startLine, endLine, binary: false };
}
