/**
 * Reads an agent definition in Claude Code's subagent format: a Markdown file
 * whose YAML front matter (between `---` lines, the first line of the file)
 * names the agent and configures it, and whose body is its system prompt.
 * Pure.
 */
import { parse as parseYaml, YAMLError } from "yaml";
import { InvalidAgentDefinitionError } from "./errors.js";

/** One agent type, from a repository file or built in. */
export interface AgentDefinition {
  /** Its identity: what `agentType` names. */
  name: string;
  description: string;
  /** Claude Code tool names it may use; undefined: every tool of its role. */
  tools?: string[];
  /** Claude Code tool names taken away from the tools it would have. */
  disallowedTools?: string[];
  /** Model id or shortcut (`sonnet`, `inherit`, ...). */
  model?: string;
  effort?: string;
  maxTurns?: number;
  /** The body: the agent's role prompt (may be empty). */
  prompt: string;
  /** Where it is defined: a repository path, or `built-in`. */
  source: string;
}

/** Largest definition read, in characters (a role prompt, not a document). */
export const MAX_DEFINITION_CHARS = 100_000;

const FENCE = /^---[ \t]*$/;

/**
 * The front matter's `name`, or null when the file has no front matter or no
 * name (Claude Code treats such a file as documentation kept beside agents).
 * Never throws: scanning a folder must not fail on one bad file.
 */
export function definitionNameOf(text: string): string | null {
  try {
    const split = splitFrontMatter(text);
    if (split === null) return null;
    const data: unknown = parseYaml(split.yaml);
    const name = (data as { name?: unknown } | null)?.name;
    return typeof name === "string" && name.trim() !== "" ? name.trim() : null;
  } catch {
    return null;
  }
}

/**
 * Parses a definition read from `path`. Throws `InvalidAgentDefinitionError`
 * for a file without front matter, YAML that does not parse, a missing `name`
 * or `description`, or fields of the wrong type.
 */
export function parseAgentDefinition(text: string, path: string): AgentDefinition {
  if (text.length > MAX_DEFINITION_CHARS) throw new InvalidAgentDefinitionError(path, `it is longer than ${MAX_DEFINITION_CHARS} characters`);
  const split = splitFrontMatter(text);
  if (split === null) throw new InvalidAgentDefinitionError(path, "it has no front matter: its first line must be --- and the front matter must end with a --- line");
  let data: unknown;
  try {
    data = parseYaml(split.yaml);
  } catch (error) {
    const reason = error instanceof YAMLError ? (error.message.split("\n")[0] ?? error.message) : String(error);
    throw new InvalidAgentDefinitionError(path, `its front matter is not valid YAML: ${reason}`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InvalidAgentDefinitionError(path, "its front matter must be YAML fields such as name: reviewer");
  }
  const fields = data as Record<string, unknown>;
  const text_ = (key: string, required: boolean): string | undefined => {
    const value = fields[key];
    if (value === undefined || value === null) {
      if (required) throw new InvalidAgentDefinitionError(path, `its front matter has no ${key}`);
      return undefined;
    }
    if (typeof value !== "string" || value.trim() === "") throw new InvalidAgentDefinitionError(path, `${key} must be text`);
    return value.trim();
  };
  const name = text_("name", true) as string;
  if (name.startsWith("-") || name.includes(":")) throw new InvalidAgentDefinitionError(path, `name "${name}" may not start with - or contain :`);
  const definition: AgentDefinition = { name, description: text_("description", true) as string, prompt: split.body.trim(), source: path };
  const tools = toolList(fields.tools, "tools", path);
  if (tools !== undefined) definition.tools = tools;
  const disallowed = toolList(fields.disallowedTools, "disallowedTools", path);
  if (disallowed !== undefined) definition.disallowedTools = disallowed;
  const model = text_("model", false);
  if (model !== undefined) definition.model = model;
  const effort = text_("effort", false);
  if (effort !== undefined) definition.effort = effort;
  if (fields.maxTurns !== undefined && fields.maxTurns !== null) {
    const turns = fields.maxTurns;
    if (typeof turns !== "number" || !Number.isInteger(turns) || turns < 1) throw new InvalidAgentDefinitionError(path, "maxTurns must be a whole number from 1 up");
    definition.maxTurns = turns;
  }
  return definition;
}

/** Front matter text and body, or null when the first line is not `---` or the front matter never ends. */
function splitFrontMatter(text: string): { yaml: string; body: string } | null {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? "")) return null;
  const end = lines.findIndex((line, index) => index > 0 && FENCE.test(line));
  if (end === -1) return null;
  return { yaml: lines.slice(1, end).join("\n"), body: lines.slice(end + 1).join("\n") };
}

/** `tools: Read, Grep` or a YAML list, as a list of names. */
function toolList(value: unknown, key: string, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(items) || !items.every((item) => typeof item === "string")) {
    throw new InvalidAgentDefinitionError(path, `${key} must be a comma-separated list such as "Read, Grep, Glob" or a YAML list`);
  }
  return items.map((item) => item.trim()).filter((item) => item !== "");
}
