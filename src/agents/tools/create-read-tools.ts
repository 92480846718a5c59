/**
 * Read-only tools over a tree: `list_files`, `read_file` and `search` over
 * what the agent works on, and `read_base_file` / `search_base` over the base
 * a refuter compares against. They only read, so they suit every role.
 */
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import { InvalidSearchPatternError, type WorkspaceReader } from "../../workspace/index.js";
import { capOutput, formatFileRead } from "./cap-output.js";
import { readInput } from "./read-input.js";
import type { AgentTool, ToolOutcome } from "./types.js";
import { messageOf } from "../../errors.js";

/** Matches shown by one search; one more is asked for to know whether there were more. */
export const MAX_SEARCH_MATCHES = 200;

const GLOB_HELP =
  'Globs use picomatch syntax: a glob without "/" matches file names anywhere ("*.ts"), ' +
  '"src/**" matches everything under src/, "src/**/*.test.ts" combines both.';

/**
 * `list_files`, `read_file` and `search` over `reader`. `where` names what
 * they read in the tool descriptions, e.g. "your workspace (your edits included)".
 */
export function createReadTools(reader: WorkspaceReader, where: string): AgentTool[] {
  return [
    listFilesTool(reader, where),
    readFileTool("read_file", reader, `Reads a text file of ${where}.`),
    searchTool("search", reader, `Searches the files of ${where}`),
  ];
}

/** `read_base_file` and `search_base` over the base commit, to compare with what changed. */
export function createBaseTools(base: WorkspaceReader): AgentTool[] {
  return [
    readFileTool("read_base_file", base, "Reads a text file as it was at the base commit, before the change."),
    searchTool("search_base", base, "Searches the files as they were at the base commit, before the change,"),
  ];
}

function listFilesTool(reader: WorkspaceReader, where: string): AgentTool {
  const definition: Tool = {
    name: "list_files",
    description: `Lists the files of ${where}, sorted, optionally filtered by a glob. ${GLOB_HELP}`,
    input_schema: {
      type: "object",
      properties: { glob: { type: "string", description: 'Glob to filter by, e.g. "src/**/*.ts"; omit it to list every file.' } },
    },
  };
  return {
    definition,
    async run(input, { maxChars }): Promise<ToolOutcome> {
      const glob = readInput("list_files", input).optionalString("glob");
      const files = await reader.list(glob);
      const scope = glob === undefined ? "" : ` match "${glob}"`;
      if (files.length === 0) return { content: `No files${scope}. ${GLOB_HELP}` };
      const text = `${files.length} file${files.length === 1 ? "" : "s"}${scope}:\n${files.join("\n")}\n`;
      return { content: capOutput(text, maxChars, 'list fewer at a time with a narrower glob, e.g. "src/api/**"') };
    },
  };
}

function readFileTool(name: string, reader: WorkspaceReader, what: string): AgentTool {
  const definition: Tool = {
    name,
    description:
      `${what} Returns the lines with their 1-based numbers ("number<TAB>text"); the numbers are not part of the ` +
      "file. Long files are cut with a note saying which start_line to continue from.",
    input_schema: {
      type: "object",
      properties: {
        path: { type: "string", description: 'Path from the repository root, e.g. "src/index.ts".' },
        start_line: { type: "integer", minimum: 1, description: "First line to return (default 1)." },
        end_line: { type: "integer", minimum: 1, description: "Last line to return, inclusive (default: the last line)." },
      },
      required: ["path"],
    },
  };
  return {
    definition,
    async run(input, { maxChars }): Promise<ToolOutcome> {
      const args = readInput(name, input);
      const path = args.string("path");
      const read = await reader.read(path, { startLine: args.optionalLine("start_line"), endLine: args.optionalLine("end_line") });
      return { content: formatFileRead(read, maxChars) };
    },
  };
}

function searchTool(name: string, reader: WorkspaceReader, what: string): AgentTool {
  const definition: Tool = {
    name,
    description:
      `${what} line by line, for a JavaScript regular expression (no lookahead, lookbehind or backreferences: patterns run in linear time). Returns "path:line: text" for each matching line ` +
      `(lines cut to 400 characters), at most ${MAX_SEARCH_MATCHES} matches. ${GLOB_HELP}`,
    input_schema: {
      type: "object",
      properties: {
        pattern: { type: "string", description: "JavaScript regular expression without slashes, e.g. fetchJson\\( or ^export function" },
        glob: { type: "string", description: "Only search files matching this glob." },
        ignore_case: { type: "boolean", description: "Match regardless of case (default false)." },
      },
      required: ["pattern"],
    },
  };
  return {
    definition,
    async run(input, { maxChars }): Promise<ToolOutcome> {
      const args = readInput(name, input);
      const pattern = args.string("pattern");
      const glob = args.optionalString("glob");
      const regex = args.optionalBoolean("ignore_case") ? caseless(pattern) : pattern;
      const matches = await reader.search(regex, { glob, maxMatches: MAX_SEARCH_MATCHES + 1 });
      const scope = glob === undefined ? "" : ` in files matching "${glob}"`;
      if (matches.length === 0) return { content: `No matches for /${pattern}/${scope}.` };
      const more = matches.length > MAX_SEARCH_MATCHES;
      const shown = matches.slice(0, MAX_SEARCH_MATCHES);
      const head = more ? `More than ${MAX_SEARCH_MATCHES} matches` : `${shown.length} match${shown.length === 1 ? "" : "es"}`;
      let text = `${head} for /${pattern}/${scope}:\n${shown.map((m) => `${m.path}:${m.line}: ${m.text}`).join("\n")}\n`;
      if (more) text += `[only the first ${MAX_SEARCH_MATCHES} matches are shown; narrow the pattern or add a glob to see the rest]\n`;
      return { content: capOutput(text, maxChars, "narrow the pattern or add a glob to see fewer matches") };
    },
  };
}

/** Only compiled (never run) here: the pattern's syntax is checked, and the search runs it on the linear-time engine. */
function caseless(pattern: string): RegExp {
  try {
    return new RegExp(pattern, "i");
  } catch (error) {
    throw new InvalidSearchPatternError(pattern, messageOf(error));
  }
}
