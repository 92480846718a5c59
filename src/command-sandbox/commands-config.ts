/**
 * The repository's commands (`.github/dynflow.yml`): `commands:` (name →
 * command line), `setup:` (run once per run before agents start) and
 * `sandbox:` (executables free-form commands may start, whether setup may use
 * the network, fixed variables, limits). Its own block, validated with zod
 * like the rest of the file.
 */
import { z } from "zod";
import { DEFAULT_COMMAND_LIMITS, type CommandLimits } from "./types.js";

/** The validated settings; empty when the repository configures no command. */
export interface CommandsConfig {
  /** Named command lines, e.g. `test: npm test`. */
  commands: Record<string, string>;
  /** Command lines run once per run on the base tree, in order, before agents start. */
  setup: string[];
  sandbox: {
    /** Executables an agent may start with a free-form command (besides the named commands). */
    allow: string[];
    /** Whether setup commands may use the network (commands never may). */
    setupNetwork: boolean;
    /** Fixed variables every command sees (never taken from dynflow's own environment). */
    env: Record<string, string>;
    limits: CommandLimits;
  };
}

export const EMPTY_COMMANDS_CONFIG: Readonly<CommandsConfig> = Object.freeze({
  commands: {},
  setup: [],
  sandbox: { allow: [], setupNetwork: false, env: {}, limits: { ...DEFAULT_COMMAND_LIMITS } },
});

/** Whether the configuration gives agents anything to run. */
export function hasCommands(config: CommandsConfig | undefined): config is CommandsConfig {
  return config !== undefined && (Object.keys(config.commands).length > 0 || config.sandbox.allow.length > 0 || config.setup.length > 0);
}

const COMMAND_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const commandLine = z
  .string({ error: "must be a command line such as npm test" })
  .trim()
  .min(1, { error: "must not be empty" })
  .max(4000, { error: "must be at most 4000 characters" })
  .refine((line) => !line.includes("\0"), { error: "must not contain a NUL character" });
const wholeNumber = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
};
const EXECUTABLE = /^[A-Za-z0-9._+-]+$/;
/** Variables a repository may not set: they would change what the sandbox is. */
const RESERVED_ENV = new Set(["PATH", "HOME", "TMPDIR", "LD_PRELOAD", "LD_LIBRARY_PATH"]);

const limitsSchema = z
  .strictObject({
    timeoutSeconds: wholeNumber(1, 3600).default(DEFAULT_COMMAND_LIMITS.timeoutSeconds),
    cpuSeconds: wholeNumber(1, 36_000).default(DEFAULT_COMMAND_LIMITS.cpuSeconds),
    memoryMb: wholeNumber(64, 65_536).default(DEFAULT_COMMAND_LIMITS.memoryMb),
    processes: wholeNumber(8, 4096).default(DEFAULT_COMMAND_LIMITS.processes),
    outputKb: wholeNumber(1, 1024).default(DEFAULT_COMMAND_LIMITS.outputKb),
    diskMb: wholeNumber(16, 65_536).default(DEFAULT_COMMAND_LIMITS.diskMb),
  })
  .prefault({});

/** The three keys of the file this block owns. */
export const commandsConfigShape = {
  commands: z
    .record(
      z.string().regex(COMMAND_NAME, { error: "must be a command name: lowercase letters, digits, - and _, starting with a letter (e.g. test)" }),
      commandLine,
      { error: "must map command names to command lines, e.g. test: npm test" },
    )
    .default({}),
  setup: z
    .union([commandLine.transform((line) => [line]), z.array(commandLine, { error: "must be a list of command lines" })], {
      error: "must be a command line or a list of them, e.g. npm ci",
    })
    .default([]),
  sandbox: z
    .strictObject({
      allow: z
        .array(z.string().regex(EXECUTABLE, { error: "must be an executable's name without a path, e.g. npx" }), {
          error: "must be a list of executable names, e.g. [npx, node]",
        })
        .default([]),
      setupNetwork: z.boolean({ error: "must be true or false" }).default(false),
      env: z
        .record(
          z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be a variable name" })
            .refine((name) => !RESERVED_ENV.has(name), { error: "is set by the sandbox itself and cannot be changed" }),
          z.string({ error: "must be text" }),
          { error: "must map variable names to fixed values" },
        )
        .default({}),
      limits: limitsSchema,
    })
    .prefault({}),
};

/** The keys of each object of the block, for suggestions on misspelt keys. */
export const COMMANDS_CONFIG_KEYS: Readonly<Record<string, readonly string[]>> = {
  sandbox: ["allow", "setupNetwork", "env", "limits"],
  "sandbox.limits": Object.keys(DEFAULT_COMMAND_LIMITS),
};
