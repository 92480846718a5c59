/**
 * Errors of the agent runner. Tool input errors are shown to the model as
 * tool errors; subject errors fail the agent before any token is spent.
 */
import { DynflowError } from "../errors.js";

/** A tool was called with input it cannot accept; the model reads the message and retries. */
export class ToolInputError extends DynflowError {
  declare readonly code: "tool_input_invalid";
  /** The tool that refused its input. */
  readonly tool: string;
  /** The input field at fault, or null for the input as a whole. */
  readonly field: string | null;

  constructor(tool: string, field: string | null, message: string) {
    super("tool_input_invalid", message);
    this.tool = tool;
    this.field = field;
  }
}

/** An agent was started without the `options.subject` its role needs, or with one of the wrong shape. */
export class InvalidAgentSubjectError extends DynflowError {
  declare readonly code: "invalid_agent_subject";
  readonly role: "worker" | "refuter" | "resolver";

  constructor(role: "worker" | "refuter" | "resolver", problem: string, expected: string) {
    super("invalid_agent_subject", `a ${role} agent needs options.subject ${expected}; ${problem}`);
    this.role = role;
  }
}
