/**
 * The exact-replace rule of `edit`: the old text must occur exactly once.
 * Errors tell a model what to do next.
 */
import { WorkspacePathError } from "./errors.js";
import { isBinary } from "./slice-lines.js";

/**
 * Returns the file's text with the one occurrence of `oldText` replaced by
 * `newText`; throws `edit_no_match` or `edit_ambiguous` (with the count).
 * `clean` is the normalised path for messages, `path` the path as given.
 */
export function replaceOnce(bytes: Buffer, oldText: string, newText: string, clean: string, path: string): string {
  const text = bytes.toString("utf8");
  if (isBinary(bytes) || !Buffer.from(text, "utf8").equals(bytes)) {
    throw new WorkspacePathError("edit_no_match", path, `"${clean}" is binary or not UTF-8 text, so it cannot be edited; write the whole file instead`);
  }
  if (oldText === "") {
    throw new WorkspacePathError("edit_no_match", path, `the text to replace is empty; give the exact text to replace in "${clean}", or use write for a whole file`);
  }
  const first = text.indexOf(oldText);
  if (first < 0) {
    throw new WorkspacePathError(
      "edit_no_match",
      path,
      `the text to replace was not found in "${clean}"; read the file again and copy the exact text, including whitespace and indentation`,
    );
  }
  let occurrences = 0;
  for (let at = first; at >= 0; at = text.indexOf(oldText, at + 1)) occurrences++;
  if (occurrences > 1) {
    throw new WorkspacePathError(
      "edit_ambiguous",
      path,
      `the text to replace occurs ${occurrences} times in "${clean}"; include more surrounding lines so it matches exactly once`,
      { occurrences },
    );
  }
  return text.slice(0, first) + newText + text.slice(first + oldText.length);
}
