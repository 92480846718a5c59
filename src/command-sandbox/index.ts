/**
 * Commands on an agent's workspace, in a sandbox: no network, no secrets,
 * bounded in time, CPU, memory, processes and output. The folder's public
 * surface.
 */
export { CommandSandbox, BASE_ENV, type CommandSandboxOptions } from "./command-sandbox.js";
export { CommandNotAllowedError, SandboxUnavailableError, SetupFailedError } from "./errors.js";
export { probeSandbox, sandboxAvailability } from "./probe-sandbox.js";
export { DEFAULT_COMMAND_LIMITS, type CommandResult, type SandboxAvailability, type SandboxLimit, type CommandLimits } from "./types.js";
export { EMPTY_COMMANDS_CONFIG, hasCommands, type CommandsConfig } from "./commands-config.js";
export { RunCommands, checkKey, describeLimit, type CheckResult } from "./run-commands.js";
