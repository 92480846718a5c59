/**
 * Claude Code's tool names (as agent definitions list them in `tools` and
 * `disallowedTools`) and the dynflow tools each one stands for. One table, so
 * a tool dynflow adds later is one more entry; a mapped tool an agent's role
 * does not offer (a refuter has no write tools, `run_command` exists only
 * where commands can run, web tools only where the repository enables them)
 * is simply not there.
 */

/** dynflow tools behind each Claude Code tool. */
export const CLAUDE_TOOL_NAMES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  Read: ["read_file", "read_base_file"],
  Grep: ["search", "search_base"],
  Glob: ["list_files"],
  LS: ["list_files"],
  Edit: ["edit_file"],
  MultiEdit: ["edit_file"],
  // Writing a file and deleting one are both writes; dynflow has no shell to delete with.
  Write: ["write_file", "delete_file"],
  Bash: ["run_command"],
  WebSearch: ["web_search"],
  WebFetch: ["web_fetch"],
});

/** Tools every agent keeps whatever its definition lists: how it hands back its result. */
export const ALWAYS_OFFERED: readonly string[] = ["finish"];

/** A definition's tool entries resolved: the dynflow tools they grant, and the entries nothing stands for. */
export interface MappedTools {
  tools: string[];
  unknown: string[];
}

/**
 * Maps entries such as `Read`, `Bash(git diff *)` or `mcp__github` to dynflow
 * tool names. A specifier in parentheses narrows nothing here: the entry
 * grants or removes the whole tool, as Claude Code does for `disallowedTools`.
 */
export function mapClaudeTools(entries: readonly string[]): MappedTools {
  const tools = new Set<string>();
  const unknown: string[] = [];
  for (const entry of entries) {
    const name = entry.replace(/\(.*\)\s*$/s, "").trim();
    const mapped = Object.hasOwn(CLAUDE_TOOL_NAMES, name) ? CLAUDE_TOOL_NAMES[name] : undefined;
    if (mapped === undefined) unknown.push(entry);
    else for (const tool of mapped) tools.add(tool);
  }
  return { tools: [...tools], unknown };
}

/** The Claude Code names dynflow maps, for messages. */
export function knownClaudeTools(): string[] {
  return Object.keys(CLAUDE_TOOL_NAMES);
}
