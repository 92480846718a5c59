/**
 * Finds the line of a comment that addresses dynflow. The comment is read as
 * GitHub renders it, with a real Markdown lexer (marked): only text a reader
 * sees as a plain paragraph can be a command. Code (fenced, indented, `<pre>`
 * and other HTML blocks) is an example someone pasted, a `>` quote (with its
 * lazy continuation lines) is a reply to an earlier command, HTML comments
 * are hidden template text, and list items and headings are prose: none of
 * them runs.
 */
import { Lexer, type Token } from "marked";

/** The command line split at its trigger. */
export interface CommandLine {
  /** The line after the trigger, e.g. ` run migrate the callers`. */
  rest: string;
  /** The lines after the command line, with HTML comments removed. */
  after: string;
}

/**
 * The first line of a top-level paragraph whose first word is one of
 * `triggers` (case-insensitive), or null.
 */
export function findCommandLine(body: string, triggers: readonly string[]): CommandLine | null {
  const text = body.replace(/\r\n?/g, "\n");
  const lowered = triggers.map((trigger) => trigger.toLowerCase());
  // Top-level tokens' raw texts add up to the whole comment, so each token's offset is the sum before it.
  let offset = 0;
  for (const token of Lexer.lex(text) as Token[]) {
    const start = offset;
    offset += token.raw.length;
    if (token.type !== "paragraph") continue;
    // An inline HTML comment inside a paragraph hides its text too.
    const lines = withoutHtmlComments(token.raw).split("\n");
    let lineStart = start;
    for (const line of lines) {
      const trimmed = line.trimStart();
      const head = trimmed.toLowerCase();
      for (const trigger of lowered) {
        const next = trimmed.charAt(trigger.length);
        if (head.startsWith(trigger) && (next === "" || /\s/.test(next))) {
          const after = text.slice(Math.min(text.length, lineStart + line.length + 1));
          return { rest: trimmed.slice(trigger.length), after: withoutHtmlComments(after) };
        }
      }
      lineStart += line.length + 1;
    }
  }
  return null;
}

/** Blanks HTML comments but keeps their line breaks, so line structure is unchanged. An unclosed one runs to the end, as GitHub renders it. */
function withoutHtmlComments(text: string): string {
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, (comment) => comment.replace(/[^\n]/g, ""));
}
