/**
 * The shared first block of every agent's conversation: the run's task. It
 * names no agent and no label, so every agent of a role sends the same
 * prefix (tools, system prompt, this block) and reads it from the prompt
 * cache after the first one has written it.
 */

/** The task block; identical for every agent of the run. */
export function describeTask(task: string, baseCommit: string): string {
  return (
    `# The run's task\n\n${task.trim()}\n\n` +
    `The repository is at commit ${baseCommit}. Several agents work on this task at once, each on its own ` +
    "assignment and in its own isolated copy of the repository. Your assignment follows."
  );
}

/** A Markdown code fence around `text` that no backtick run inside it can close. */
export function fence(text: string, info = ""): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(Math.max(3, longest + 1));
  return `${ticks}${info}\n${text.endsWith("\n") || text === "" ? text : `${text}\n`}${ticks}`;
}
