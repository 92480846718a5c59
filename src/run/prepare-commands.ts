/**
 * A run's sandboxed commands, ready before any agent starts: is there a
 * sandbox on this host (if not, nothing is offered and the report says why;
 * nothing ever runs on the host), the base tree written once, the setup
 * commands run (a failure fails the run here, with its output).
 */
import type { Logger } from "pino";
import { CommandSandbox, hasCommands, RunCommands, sandboxAvailability, type CommandsConfig, type SandboxAvailability } from "../command-sandbox/index.js";
import type { Journal } from "../runtime/types.js";
import type { GitRepository } from "../workspace/index.js";

export interface PreparedCommands {
  /** Null when the repository configures none or the host has no sandbox. */
  commands: RunCommands | null;
  /** For the report, when configured commands could not be offered. */
  note: string | null;
  /** Removes the run's trees. */
  close(): Promise<void>;
}

const NONE: PreparedCommands = { commands: null, note: null, close: async () => {} };

export async function prepareCommands(input: {
  config: CommandsConfig | undefined;
  repository: GitRepository;
  baseCommit: string;
  /** Where checks are journaled; none on a worker process (agents' commands are never journaled). */
  journal?: Journal;
  log: Logger;
  signal?: AbortSignal;
  /** The host's answer (default: probed once per process). */
  availability?: () => Promise<SandboxAvailability>;
}): Promise<PreparedCommands> {
  const { config } = input;
  if (!hasCommands(config)) return NONE;
  const availability = await (input.availability ?? sandboxAvailability)();
  if (!availability.available) {
    const names = Object.keys(config.commands);
    input.log.warn({ reason: availability.reason }, "sandboxed commands are not available on this host");
    return {
      ...NONE,
      note: `The repository's commands${names.length > 0 ? ` (${names.join(", ")})` : ""} and setup were not run and agents had no run_command tool: this host cannot sandbox commands (${availability.reason}).`,
    };
  }
  const sandbox = await CommandSandbox.create({
    repository: input.repository,
    baseCommit: input.baseCommit,
    limits: config.sandbox.limits,
    env: config.sandbox.env,
    log: input.log,
  });
  try {
    const results = await sandbox.setup(config.setup, { network: config.sandbox.setupNetwork, ...(input.signal ? { signal: input.signal } : {}) });
    for (const result of results) input.log.info({ command: result.command, exitCode: result.exitCode, ms: result.durationMs }, "setup command finished");
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  return {
    commands: new RunCommands({ sandbox, config, repository: input.repository, ...(input.journal ? { journal: input.journal } : {}) }),
    note: null,
    close: () => sandbox.close(),
  };
}
