/**
 * Finds the line of a comment that addresses dynflow. Text a reader does not
 * see as a command is skipped: fenced code blocks (people paste examples),
 * `>` quotes (replying to an earlier command must not run it again) and HTML
 * comments (issue templates hide text in them).
 */

/** The command line split at its trigger. */
export interface CommandLine {
  /** The line after the trigger, e.g. ` run migrate the callers`. */
  rest: string;
  /** The lines after the command line, with HTML comments removed. */
  after: string;
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The first line whose first word (after optional whitespace) is one of
 * `triggers` (case-insensitive), or null.
 */
export function findCommandLine(body: string, triggers: readonly string[]): CommandLine | null {
  const lines = withoutHtmlComments(body.replace(/\r\n?/g, "\n")).split("\n");
  const lowered = triggers.map((trigger) => trigger.toLowerCase());
  let fence: string | null = null;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    if (fence !== null) {
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    const opened = FENCE_OPEN.exec(line);
    if (opened) {
      fence = opened[1] ?? null;
      continue;
    }
    const text = line.trimStart();
    if (text.startsWith(">")) continue;
    const head = text.toLowerCase();
    for (const trigger of lowered) {
      const next = text.charAt(trigger.length);
      if (head.startsWith(trigger) && (next === "" || /\s/.test(next))) {
        return { rest: text.slice(trigger.length), after: lines.slice(index + 1).join("\n") };
      }
    }
  }
  return null;
}

/** A closing fence uses the same character, at least as many times, and nothing else. */
function closesFence(line: string, fence: string): boolean {
  const match = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
  const marker = match?.[1];
  return marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length;
}

/** Blanks HTML comments but keeps their line breaks, so line structure is unchanged. An unclosed one runs to the end, as GitHub renders it. */
function withoutHtmlComments(text: string): string {
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, (comment) => comment.replace(/[^\n]/g, ""));
}
