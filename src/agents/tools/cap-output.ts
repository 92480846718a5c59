/**
 * Keeps tool results within `maxToolOutputChars`. A cut result always ends
 * with a note that says it was cut and how to get the rest, so the model
 * never mistakes a partial listing or file for the whole.
 */
import type { ReadResult } from "../../workspace/index.js";

/** Room kept for the truncation note, so result and note together stay within the cap. */
const NOTE_ROOM = 240;

/** Cuts `text` at a line boundary to fit `maxChars` (note included) and appends a note ending with `hint`. */
export function capOutput(text: string, maxChars: number, hint: string): string {
  if (text.length <= maxChars) return text;
  const budget = Math.max(0, maxChars - NOTE_ROOM);
  const lastBreak = text.lastIndexOf("\n", budget);
  const shown = lastBreak > budget / 2 ? text.slice(0, lastBreak + 1) : `${text.slice(0, budget)}\n`;
  return `${shown}[truncated: showing ${shown.length} of ${text.length} characters (tool output is capped at ${maxChars}); ${hint}]`;
}

/**
 * A file read for the model: a header, then `cat -n` style lines (number,
 * tab, text) so it can cite line numbers and copy exact text for edits. A
 * read that does not fit ends on a whole line with a note naming the
 * `start_line` to continue from.
 */
export function formatFileRead(read: ReadResult, maxChars: number): string {
  if (read.binary) return `${read.path} is a binary file; it cannot be shown as text.`;
  if (read.totalLines === 0) return `${read.path} is empty (0 lines).`;
  if (read.endLine < read.startLine) {
    return `${read.path} has ${read.totalLines} lines; nothing to show for start_line=${read.startLine}.`;
  }
  const lines = read.text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const budget = Math.max(0, maxChars - NOTE_ROOM);
  let out = `${read.path}, lines ${read.startLine}-${read.endLine} of ${read.totalLines}:\n`;
  for (let i = 0; i < lines.length; i++) {
    const number = read.startLine + i;
    const line = `${String(number).padStart(6)}\t${lines[i]}\n`;
    if (out.length + line.length <= budget) {
      out += line;
      continue;
    }
    if (i === 0) {
      const room = Math.max(0, budget - out.length - 8);
      return (
        `${out}${line.slice(0, room)}\n[truncated: line ${number} alone is ${line.length} characters and the output is capped at ` +
        `${maxChars}; only its start is shown. Use search to find the part you need, or read from start_line=${number + 1}]`
      );
    }
    return (
      `${out}[truncated: showed lines ${read.startLine}-${number - 1} of ${read.totalLines} (tool output is capped at ${maxChars} ` +
      `characters); read the rest with start_line=${number}, or a narrower range with start_line and end_line]`
    );
  }
  return out;
}
