/**
 * The `dynflow` command line: the same engine as the GitHub App, on a local
 * repository or a script file.
 */
import { DynflowError } from "../errors.js";
import { UsageError, type CliIo } from "./cli-io.js";
import { CLEAN_USAGE, cleanCommand } from "./clean-command.js";
import { readVersion } from "./read-version.js";
import { RESUME_USAGE, resumeCommand } from "./resume-command.js";
import { RUN_USAGE, runCommand } from "./run-command.js";
import { SHOW_USAGE, showCommand } from "./show-command.js";
import { SIMULATE_USAGE, simulateCommand } from "./simulate-command.js";
import { UI_USAGE, uiCommand } from "./ui-command.js";
import { WORKER_USAGE, workerCommand } from "./worker-command.js";

const USAGE = `Usage: dynflow <command> [options]

Commands:
  run --repo <path> ...  run a task or script on a local repository with real agents
  resume <run>           continue a local run that stopped; finished agents are not paid again
  show [<run>]           a local run agent by agent, as text (--agent for one transcript)
  ui                     the dashboard for the local runs, at http://127.0.0.1:4310/dashboard/
  simulate <script.js>   preview a plan script's agents, phases and cost with simulated agents
  worker                 run agents from the Redis queue for the web process (scale-out)
  clean --repo <path>    delete the dynflow/* branches of earlier local runs
  help [command]         show help

Options: --help (-h) a command's options, --version (-v) dynflow's version.

Run "dynflow help <command>" for a command's options.
`;

const COMMANDS: Record<string, { usage: string; run: (argv: string[], io: CliIo) => Promise<number> }> = {
  run: { usage: RUN_USAGE, run: runCommand },
  resume: { usage: RESUME_USAGE, run: resumeCommand },
  show: { usage: SHOW_USAGE, run: (argv, io) => showCommand(argv, io) },
  ui: { usage: UI_USAGE, run: (argv, io) => uiCommand(argv, io) },
  simulate: { usage: SIMULATE_USAGE, run: simulateCommand },
  worker: { usage: WORKER_USAGE, run: (argv, io) => workerCommand(argv, io) },
  clean: { usage: CLEAN_USAGE, run: cleanCommand },
};

/** Runs the CLI and returns its exit code: 0 ok, 1 the run did not succeed, 2 bad usage (docs/cli.md). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // No command is a usage error: the usage goes where errors go.
    io.stderr(`dynflow: give a command\n\n${USAGE}`);
    return 2;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    io.stdout(`${readVersion()}\n`);
    return 0;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    const topic = name === "help" && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    if (name === "help" && rest[0] !== undefined && !topic) {
      io.stderr(`dynflow help: unknown command "${rest[0]}"\n\n${USAGE}`);
      return 2;
    }
    io.stdout(topic ? topic.usage : USAGE);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`dynflow: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr(`dynflow ${name}: ${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof DynflowError) {
      io.stderr(`dynflow ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
