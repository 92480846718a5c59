/**
 * The agent types Claude Code has built in, so scripts that name them run
 * unchanged. A repository's own `.claude/agents/<name>.md` of the same name
 * wins over these, as in Claude Code.
 */
import type { AgentDefinition } from "./parse-agent-definition.js";

const READ_ONLY = ["Read", "Grep", "Glob"];

/** Built-in types by name. */
export const BUILTIN_AGENT_TYPES: Readonly<Record<string, AgentDefinition>> = Object.freeze({
  "general-purpose": {
    name: "general-purpose",
    description: "Complex, multi-step work that needs both exploration and changes",
    prompt: "",
    source: "built-in",
  },
  Explore: {
    name: "Explore",
    description: "Fast, read-only search and analysis of the repository",
    tools: READ_ONLY,
    prompt:
      "You explore the repository to answer a question: find the files that matter with list_files and search, read " +
      "what you need, and answer with path:line references. You change nothing.",
    source: "built-in",
  },
  Plan: {
    name: "Plan",
    description: "Read-only research of the code a plan depends on",
    tools: READ_ONLY,
    prompt:
      "You research the code a plan depends on: what exists, where, how it is used, and what a change would touch. " +
      "Report facts with path:line references and the open questions; you change nothing.",
    source: "built-in",
  },
});

/** The built-in type called `name` (matched without regard to case), or undefined. */
export function builtinAgentType(name: string): AgentDefinition | undefined {
  const key = Object.keys(BUILTIN_AGENT_TYPES).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : BUILTIN_AGENT_TYPES[key];
}
