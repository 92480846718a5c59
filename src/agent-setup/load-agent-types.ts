/**
 * Finds the agent type an `agent(prompt, { agentType })` call names: the
 * repository's `.claude/agents/<name>.md` (or any `.claude/agents/**.md`
 * whose front matter has that `name`, as Claude Code identifies agents by
 * name, not file name), else one of Claude Code's built-in types. Each type
 * is looked up once per run.
 */
import { builtinAgentType, BUILTIN_AGENT_TYPES } from "./builtin-agent-types.js";
import { definitionNameOf, parseAgentDefinition, type AgentDefinition } from "./parse-agent-definition.js";
import { InvalidAgentDefinitionError } from "./errors.js";

/** The folder agent definitions live in, as in Claude Code. */
export const AGENTS_DIR = ".claude/agents";

/** Files scanned for a `name:` at most, so a huge folder cannot make a lookup expensive. */
export const MAX_SCANNED_DEFINITIONS = 200;

/** Where a run reads agent definitions: the repository at its base commit (or, on GitHub, a trusted ref). */
export interface AgentDefinitionSource {
  /** Where the files are read, for messages, e.g. "commit 4e2a9c1". */
  readonly where: string;
  /** A file's text, or null when there is no such file. */
  read(path: string): Promise<string | null>;
  /** Paths of the `.md` files under `dir`, recursively, sorted. */
  listMarkdown(dir: string): Promise<string[]>;
}

export type LoadedAgentType = { ok: true; definition: AgentDefinition } | { ok: false; error: string };

/** Looks up agent types by name; see the module comment. */
export type AgentTypeLoader = (name: string) => Promise<LoadedAgentType>;

const TYPE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A loader over `source` (null: built-in types only, e.g. a simulation without a repository). */
export function createAgentTypeLoader(source: AgentDefinitionSource | null): AgentTypeLoader {
  const found = new Map<string, Promise<LoadedAgentType>>();
  let scanned: Promise<Map<string, string>> | null = null;
  const scan = () => (scanned ??= scanNames(source));
  return (name) => {
    let loading = found.get(name);
    if (loading === undefined) {
      loading = load(name, source, scan).catch((error: unknown) => ({ ok: false as const, error: messageOf(error) }));
      found.set(name, loading);
    }
    return loading;
  };
}

async function load(name: string, source: AgentDefinitionSource | null, scan: () => Promise<Map<string, string>>): Promise<LoadedAgentType> {
  if (!TYPE_NAME.test(name) || name.includes("..")) {
    return { ok: false, error: `agentType "${name.slice(0, 80)}" is not a valid agent type name: use letters, digits, ".", "_" and "-", as in .claude/agents/<name>.md` };
  }
  const expected = `${AGENTS_DIR}/${name}.md`;
  if (source !== null) {
    const text = await source.read(expected);
    if (text !== null && definitionNameOf(text) === name) return { ok: true, definition: parseAgentDefinition(text, expected) };
    const elsewhere = (await scan()).get(name);
    if (elsewhere !== undefined) {
      const other = await source.read(elsewhere);
      if (other !== null) return { ok: true, definition: parseAgentDefinition(other, elsewhere) };
    }
    // A file of the expected name that does not parse is the likeliest meant one: say what is wrong with it.
    if (text !== null) parseAgentDefinition(text, expected);
  }
  const builtin = builtinAgentType(name);
  if (builtin !== undefined) return { ok: true, definition: builtin };
  const where = source === null ? "(this run reads no repository)" : `at ${source.where}`;
  return {
    ok: false,
    error:
      `agent type "${name}" not found: looked for ${expected} and for a "name: ${name}" in the front matter of ${AGENTS_DIR}/**/*.md ${where}. ` +
      `Define it there (front matter with name and description, the role prompt below it) or use a built-in type (${Object.keys(BUILTIN_AGENT_TYPES).join(", ")}).`,
  };
}

/** Front matter names of the definitions under `.claude/agents/`, first file wins. */
async function scanNames(source: AgentDefinitionSource | null): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (source === null) return names;
  const paths = (await source.listMarkdown(AGENTS_DIR)).slice(0, MAX_SCANNED_DEFINITIONS);
  for (const path of paths) {
    const text = await source.read(path);
    const name = text === null ? null : definitionNameOf(text);
    if (name !== null && !names.has(name)) names.set(name, path);
  }
  return names;
}

function messageOf(error: unknown): string {
  if (error instanceof InvalidAgentDefinitionError) return error.message;
  return `the agent type could not be read: ${error instanceof Error ? error.message : String(error)}`;
}
