/**
 * Bounds on what a command may carry, checked on the text before anything
 * parses or stores it: a task or arguments longer than GitHub lets a comment
 * be, or JSON arguments nested deeper than any workflow needs, are refused
 * with the limit in the reply. Unbounded, they fail far from the user (a
 * deep value overflows the stack where it is serialised; a huge task fails
 * inside the sandbox as `value_too_large`).
 */

/** Characters of a command's text (task and details, or workflow arguments): GitHub's own limit for a comment. */
export const MAX_COMMAND_CHARS = 65_536;
/** Nesting of `[` and `{` in workflow arguments. */
export const MAX_ARGS_DEPTH = 64;

const count = (n: number) => n.toLocaleString("en-US");

/** What is wrong with a command's text, in words for the reply; empty when within the limits. */
export function commandLimitProblems(what: string, text: string, options: { json?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (options.json) {
    const depth = jsonDepth(text);
    if (depth > MAX_ARGS_DEPTH) problems.push(`${what} nest ${count(depth)} levels deep; dynflow takes at most ${MAX_ARGS_DEPTH}: flatten them`);
  }
  if (text.length > MAX_COMMAND_CHARS) {
    problems.push(
      `${what} ${options.json ? "are" : "is"} ${count(text.length)} characters long; dynflow takes at most ${count(MAX_COMMAND_CHARS)} ` +
        "(GitHub's own limit for a comment): shorten it, or put the long part in a file in the repository and name the file",
    );
  }
  return problems;
}

/** Deepest nesting of arrays and objects in JSON-looking `text` (strings skipped), in one pass without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[" || c === "{") deepest = Math.max(deepest, ++depth);
    else if (c === "]" || c === "}") depth = Math.max(0, depth - 1);
  }
  return deepest;
}
