/**
 * `run_command`: runs one of the repository's configured commands (or a
 * free-form one its allowlist admits) in the sandbox, on the tree this agent
 * works on — a worker's workspace with its edits, a refuter's change — and
 * returns the exit code and the output's tail. Offered only where the run has
 * a sandbox; nothing ever runs on the host.
 */
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import { CommandNotAllowedError, SandboxUnavailableError, describeLimit, type RunCommands } from "../../command-sandbox/index.js";
import type { LayerFile } from "../../workspace/index.js";
import { readInput } from "./read-input.js";
import type { AgentTool, ToolOutcome } from "./types.js";

/** `run_command` over the tree `layer` describes (relative to the run's base). */
export function createCommandTool(commands: RunCommands, layer: () => Promise<readonly LayerFile[]> | readonly LayerFile[], where: string): AgentTool {
  const named = commands.names.map((name) => `${name}: ${commands.resolve({ name })}`);
  const free = commands.allow.length > 0 ? ` A free-form command (one simple command, no shell operators) may start: ${commands.allow.join(", ")}.` : "";
  const definition: Tool = {
    name: "run_command",
    description:
      `Runs a command on ${where} in a sandbox (no network, no secrets, limited to ${commands.limits.timeoutSeconds} s) and returns its exit code ` +
      `and the end of its output. Named commands: ${named.length > 0 ? named.join("; ") : "none"}.${free} ` +
      "Use it to check your work the way the repository's maintainers do (tests, type checks, linters).",
    input_schema: {
      type: "object",
      properties: {
        name: { type: "string", description: `A named command: ${commands.names.join(", ") || "none"}.` },
        ...(commands.allow.length > 0 ? { command: { type: "string", description: "A free-form command line (instead of name)." } } : {}),
      },
    },
  };
  return {
    definition,
    async run(input, { maxChars }): Promise<ToolOutcome> {
      const args = readInput("run_command", input);
      const name = args.optionalString("name");
      const command = args.optionalString("command");
      let line: string;
      try {
        line = commands.resolve(name !== undefined ? { name } : command !== undefined ? { command } : {});
      } catch (error) {
        if (error instanceof CommandNotAllowedError) return { content: error.message, isError: true };
        throw error;
      }
      try {
        const result = await commands.run(line, await layer());
        const stopped = result.limit ? `\nStopped by the sandbox's ${describeLimit(result, commands.limits)}.` : "";
        const cut = result.truncated ? ` (${result.outputBytes} bytes in all; the middle was left out)` : "";
        const head = `$ ${line}\nexit code ${result.exitCode}${stopped}\noutput${cut}:\n`;
        return { content: head + tailOf(result.output, maxChars - head.length) };
      } catch (error) {
        if (error instanceof SandboxUnavailableError) return { content: `the command could not run: ${error.message}`, isError: true };
        throw error;
      }
    },
  };
}

/** The end of `text` within `max` characters, saying what was left out. */
function tailOf(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = Math.max(0, max - 80);
  return `[... ${text.length - keep} characters left out ...]\n${text.slice(text.length - keep)}`;
}
