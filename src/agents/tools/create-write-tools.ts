/**
 * The tools that change a worker's workspace: `write_file`, `edit_file` and
 * `delete_file`. The workspace enforces every path rule (write scope,
 * protected paths, `..`, `.git/`, symlinks); its refusals reach the model as
 * tool errors that name the rule.
 */
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import type { Workspace } from "../../workspace/index.js";
import { readInput } from "./read-input.js";
import type { AgentTool, ToolOutcome } from "./types.js";

const PATH = { type: "string", description: 'Path from the repository root, e.g. "src/index.ts".' } as const;

/** The write tools over `workspace`. */
export function createWriteTools(workspace: Workspace): AgentTool[] {
  return [writeFileTool(workspace), editFileTool(workspace), deleteFileTool(workspace)];
}

function writeFileTool(workspace: Workspace): AgentTool {
  const definition: Tool = {
    name: "write_file",
    description:
      "Creates a file, or replaces a whole file, with the given UTF-8 text. Prefer edit_file to change part of an " +
      "existing file. Writes are refused outside your write scope, under protected paths, in .git and through symbolic links.",
    input_schema: {
      type: "object",
      properties: { path: PATH, content: { type: "string", description: "The complete new contents of the file." } },
      required: ["path", "content"],
    },
  };
  return {
    definition,
    async run(input): Promise<ToolOutcome> {
      const args = readInput("write_file", input);
      const path = args.string("path");
      const content = args.string("content");
      await workspace.write(path, content);
      return { content: `Wrote ${path} (${countLines(content)} lines).` };
    },
  };
}

function editFileTool(workspace: Workspace): AgentTool {
  const definition: Tool = {
    name: "edit_file",
    description:
      "Replaces exactly one occurrence of old_text in a file with new_text. old_text must match the file exactly " +
      "(whitespace and indentation included, without the line numbers read_file shows) and occur exactly once; " +
      "include surrounding lines to make it unique.",
    input_schema: {
      type: "object",
      properties: {
        path: PATH,
        old_text: { type: "string", description: "The exact text to replace; must occur exactly once." },
        new_text: { type: "string", description: "The text to put in its place (may be empty to remove old_text)." },
      },
      required: ["path", "old_text", "new_text"],
    },
  };
  return {
    definition,
    async run(input): Promise<ToolOutcome> {
      const args = readInput("edit_file", input);
      const path = args.string("path");
      const oldText = args.string("old_text");
      const newText = args.string("new_text");
      await workspace.edit(path, oldText, newText);
      return { content: `Edited ${path}: replaced ${countLines(oldText)} line(s) with ${countLines(newText)} line(s).` };
    },
  };
}

function deleteFileTool(workspace: Workspace): AgentTool {
  const definition: Tool = {
    name: "delete_file",
    description: "Deletes a file. The same path rules as write_file apply.",
    input_schema: { type: "object", properties: { path: PATH }, required: ["path"] },
  };
  return {
    definition,
    async run(input): Promise<ToolOutcome> {
      const path = readInput("delete_file", input).string("path");
      await workspace.delete(path);
      return { content: `Deleted ${path}.` };
    },
  };
}

function countLines(text: string): number {
  if (text === "") return 0;
  const breaks = text.split("\n").length - 1;
  return text.endsWith("\n") ? breaks : breaks + 1;
}
