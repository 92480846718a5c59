/**
 * Errors of the command sandbox. A sandbox that cannot be set up is an error
 * of its own, never a reason to run a command on the host.
 */
import { DynflowError } from "../errors.js";

/** The sandbox could not be set up, or could not start a command (not the command's own failure). */
export class SandboxUnavailableError extends DynflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("sandbox_unavailable", message, options);
  }
}

/** A setup command failed; the run stops before any agent starts. */
export class SetupFailedError extends DynflowError {
  /** The failing command, its exit code and the tail of its output. */
  readonly command: string;
  readonly exitCode: number;
  readonly output: string;

  constructor(command: string, exitCode: number, output: string, limit?: string) {
    super(
      "setup_failed",
      `setup command \`${command}\` ${limit ? `was stopped by the sandbox's ${limit} limit` : `exited with code ${exitCode}`}; no agent was started. Its output:\n${output}`,
    );
    this.command = command;
    this.exitCode = exitCode;
    this.output = output;
  }
}

/** A command the configuration does not allow (unknown name, executable not in the allowlist). */
export class CommandNotAllowedError extends DynflowError {
  constructor(message: string) {
    super("command_not_allowed", message);
  }
}
