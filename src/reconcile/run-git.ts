/**
 * Runs git as a child process (execFile, never a shell) in one repository.
 * Output is kept as bytes so file contents survive unchanged.
 */
import { execFile } from "node:child_process";
import { GitCommandError } from "./errors.js";

/** Variables that would point git at another repository, index or tree than the one asked for. */
const REPOSITORY_VARIABLES = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_COMMON_DIR",
  "GIT_PREFIX",
  "GIT_NAMESPACE",
  "GIT_OBJECT_DIRECTORY",
];

/** One git invocation's result. */
export interface GitOutput {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

/** Options of one git invocation. */
export interface GitCallOptions {
  /** Bytes written to git's standard input. */
  input?: string | Buffer;
  /** Extra environment variables for this call only. */
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. 1 for a conflicted merge). Always includes 0. */
  okCodes?: readonly number[];
}

/** Runs git in a fixed repository. */
export type Git = (args: readonly string[], options?: GitCallOptions) => Promise<GitOutput>;

/**
 * Creates a git runner bound to `repoDir`. `baseEnv` is the environment the
 * child inherits, minus variables that would redirect git elsewhere.
 */
export function createGit(repoDir: string, baseEnv: NodeJS.ProcessEnv): Git {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: "0" };
  for (const [key, value] of Object.entries(baseEnv)) {
    if (value !== undefined && !REPOSITORY_VARIABLES.includes(key)) env[key] = value;
  }
  return (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        "git",
        [...args],
        {
          cwd: repoDir,
          env: { ...env, ...options.env },
          encoding: "buffer",
          maxBuffer: 512 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          const exitCode = error === null ? 0 : typeof error.code === "number" ? error.code : null;
          const okCodes = [0, ...(options.okCodes ?? [])];
          if (exitCode === null || !okCodes.includes(exitCode)) {
            reject(new GitCommandError(args, exitCode, stderr.toString("utf8") || String(error?.message ?? "")));
            return;
          }
          resolve({ stdout, stderr: stderr.toString("utf8"), exitCode });
        },
      );
      // A git that exits without reading its input breaks the pipe; its exit code tells what happened.
      child.stdin?.on("error", () => undefined);
      // Without input, close stdin at once so git never waits on it.
      if (options.input === undefined) child.stdin?.end();
      else child.stdin?.end(options.input);
    });
}

/** The first line of git's output, trimmed (for commands that print one id). */
export function firstLine(output: GitOutput): string {
  return output.stdout.toString("utf8").split("\n", 1)[0]?.trim() ?? "";
}
