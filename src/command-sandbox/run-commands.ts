/**
 * A run's commands: which the configuration allows (named commands, and
 * free-form ones whose executable is in the allowlist), run in the run's
 * sandbox over an agent's workspace or a commit's tree; and `check`, a named
 * command on a commit, journaled by content (the same tree and command line
 * replay the stored result).
 */
import { createHash } from "node:crypto";
import type { Journal } from "../runtime/types.js";
import { ZERO_USAGE } from "../runtime/types.js";
import type { GitRepository, LayerFile } from "../workspace/index.js";
import type { CommandSandbox } from "./command-sandbox.js";
import type { CommandsConfig } from "./commands-config.js";
import { CommandNotAllowedError } from "./errors.js";
import type { CommandResult } from "./types.js";

/** What `check()` resolves to in a script. */
export interface CheckResult {
  passed: boolean;
  exitCode: number;
  /** The tail of the output (head and tail when long). */
  output: string;
  /** The check's name and the command line it ran. */
  name: string;
  command: string;
  /** Whether it came from the journal (a replay) rather than a new run. */
  replayed: boolean;
}

/** Characters a free-form command may not use: it is one simple command, not a shell program. */
const SHELL_OPERATORS = /[;&|<>`$(){}\\\n\r*?[\]~!#]/;

export class RunCommands {
  private readonly sandbox: CommandSandbox;
  private readonly config: CommandsConfig;
  private readonly repository: Pick<GitRepository, "layerBetween" | "treeOf">;
  private readonly journal: Journal | undefined;

  constructor(options: { sandbox: CommandSandbox; config: CommandsConfig; repository: Pick<GitRepository, "layerBetween" | "treeOf">; journal?: Journal }) {
    this.sandbox = options.sandbox;
    this.config = options.config;
    this.repository = options.repository;
    this.journal = options.journal;
  }

  /** The repository's commands configuration (what a `dynflow worker` needs to run the same commands). */
  get settings(): CommandsConfig {
    return this.config;
  }

  /** Named commands, sorted. */
  get names(): string[] {
    return Object.keys(this.config.commands).sort();
  }

  /** Executables free-form commands may start. */
  get allow(): readonly string[] {
    return this.config.sandbox.allow;
  }

  get limits(): CommandSandbox["limits"] {
    return this.sandbox.limits;
  }

  /** The command line of a named command, or a free-form one the allowlist admits. Throws `CommandNotAllowedError`. */
  resolve(request: { name?: string; command?: string }): string {
    if (request.name !== undefined) {
      const line = this.config.commands[request.name];
      if (line === undefined) {
        throw new CommandNotAllowedError(`no command is named "${request.name}"; the named commands are: ${this.names.join(", ") || "none"}`);
      }
      return line;
    }
    const line = (request.command ?? "").trim();
    if (line === "") throw new CommandNotAllowedError("give the name of a configured command, or a command line");
    if (this.allow.length === 0) {
      throw new CommandNotAllowedError(`free-form commands are not allowed in this repository; run a named command instead: ${this.names.join(", ") || "none"}`);
    }
    if (SHELL_OPERATORS.test(line)) {
      throw new CommandNotAllowedError("a free-form command is one simple command: no ; & | < > $ ` ( ) { } \\ * ? [ ] ~ ! # or line breaks (named commands may use them)");
    }
    const executable = line.split(/\s+/)[0] as string;
    if (executable.includes("/") || !this.allow.includes(executable.replace(/^["']|["']$/g, ""))) {
      throw new CommandNotAllowedError(`"${executable}" is not an allowed executable; allowed: ${this.allow.join(", ")} (or a named command: ${this.names.join(", ") || "none"})`);
    }
    return line;
  }

  /** Runs a command line over the base tree with `layer` (an agent's workspace) laid over it. */
  run(line: string, layer: readonly LayerFile[], signal?: AbortSignal): Promise<CommandResult> {
    return this.sandbox.run(line, layer, signal ? { signal } : {});
  }

  /** Runs a command line on a commit's tree. */
  async runAt(line: string, commit: string, signal?: AbortSignal): Promise<CommandResult> {
    return this.run(line, await this.repository.layerBetween(this.sandbox.baseCommit, commit), signal);
  }

  /**
   * Runs the named check on `commit`'s tree. The result is journaled under
   * the tree and the command line, so a replay (or the same tree checked
   * again) costs nothing; a result a limit cut short is not kept.
   */
  async check(name: string, commit: string, signal?: AbortSignal): Promise<CheckResult> {
    const command = this.resolve({ name });
    const key = checkKey(await this.repository.treeOf(commit), command);
    const stored = await this.journal?.get(key);
    if (stored && typeof stored.output === "object" && stored.output !== null && !Array.isArray(stored.output)) {
      const output = stored.output as { passed: boolean; exitCode: number; output: string };
      return { passed: output.passed, exitCode: output.exitCode, output: output.output, name, command, replayed: true };
    }
    const result = await this.runAt(command, commit, signal);
    const passed = result.exitCode === 0 && result.limit === undefined;
    const output = result.limit ? `${result.output}\n[stopped by the sandbox's ${describeLimit(result, this.limits)}]` : result.output;
    if (result.limit === undefined) {
      await this.journal?.put({
        key,
        label: `check ${name}`,
        output: { passed, exitCode: result.exitCode, output },
        change: null,
        usage: { ...ZERO_USAGE },
        costUsd: 0,
        meta: { check: name, command },
      });
    }
    return { passed, exitCode: result.exitCode, output, name, command, replayed: false };
  }
}

/** The journal key of a check: the tree it ran on and the command line. */
export function checkKey(tree: string, command: string): string {
  return createHash("sha256").update(JSON.stringify({ v: 1, kind: "check", tree, command })).digest("hex");
}

/** Which limit stopped a command, in words. */
export function describeLimit(result: CommandResult, limits: CommandSandbox["limits"]): string {
  switch (result.limit) {
    case "timeout":
      return `wall-time limit (${limits.timeoutSeconds} s)`;
    case "cpu":
      return `CPU limit (${limits.cpuSeconds} CPU seconds per process)`;
    default:
      return "limits";
  }
}
