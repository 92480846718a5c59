/**
 * The contract between the tool loop and the tools an agent may call.
 */
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import type { JsonValue } from "../../runtime/types.js";

/** What `finish` hands back when the agent's result was accepted. */
export interface FinishPayload {
  /** The agent's own account of what it did (and what is left). */
  summary: string;
  /** A string, or the object the caller's schema asked for (already validated). */
  result: JsonValue;
}

/** The outcome of one tool call, as the model will read it. */
export interface ToolOutcome {
  /** Text of the `tool_result`; the loop caps it at `maxChars`. */
  content: string;
  /** Sent as `is_error: true`: the model should read it and act on it. */
  isError?: boolean;
  /** Set only by an accepted `finish`: the loop ends after this turn's calls. */
  finish?: FinishPayload;
}

/** What every tool call may use. */
export interface ToolContext {
  /** Longest `content` the model will be shown; tools that can cut smarter than the loop do it themselves. */
  maxChars: number;
}

/** One tool: its definition for the Messages API and what runs when the model calls it. */
export interface AgentTool {
  readonly definition: Tool;
  /**
   * Runs the call. Throws `ToolInputError`, `WorkspacePathError` or
   * `InvalidSearchPatternError` for input the model can fix (the loop turns
   * them into `is_error` results); anything else fails the agent.
   */
  run(input: unknown, context: ToolContext): Promise<ToolOutcome>;
}
