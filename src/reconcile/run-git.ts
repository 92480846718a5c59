/**
 * Git bound to one repository, for reconciliation: a thin adapter over the
 * workspace layer's git process runner (argv only, bytes out, a clean
 * environment, `GitCommandError` on failure).
 */
import { gitEnvironment, runGit, type GitOutput } from "../workspace/index.js";

export type { GitOutput };

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
  const env = gitEnvironment(baseEnv);
  return (args, options = {}) =>
    runGit({ cwd: repoDir, env: { ...env, ...options.env }, secrets: [] }, args, {
      input: options.input,
      okExitCodes: [0, ...(options.okCodes ?? [])],
    });
}

/** The first line of git's output, trimmed (for commands that print one id). */
export function firstLine(output: GitOutput): string {
  return output.stdout.toString("utf8").split("\n", 1)[0]?.trim() ?? "";
}
