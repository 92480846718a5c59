/**
 * Runs one git process: argv only (never a shell), optional stdin, output as
 * bytes. Failures become `GitCommandError` with secrets scrubbed.
 */
import { GitCommandError } from "./errors.js";
import { gitLauncher, type GitChild } from "./git-launcher.js";
import { scrubSecrets } from "./git-env.js";
import { messageOf } from "../errors.js";

/** Where and how git runs: the directory, the environment and the secrets to scrub. */
export interface GitContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  secrets: readonly string[];
}

export interface RunGitOptions {
  /** Written to stdin, which is then closed. */
  input?: string | Buffer;
  /** Exit codes that are not failures (default `[0]`). */
  okExitCodes?: readonly number[];
  signal?: AbortSignal;
}

export interface GitOutput {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

/** Keeps memory bounded when git is chatty on stderr. */
const MAX_STDERR = 64 * 1024;

/**
 * Starts git without waiting for it; the caller owns the process. It is
 * started by the process's git launcher (git-launcher.ts), which keeps the
 * cost of a start off this process.
 */
export function startGit(ctx: GitContext, args: readonly string[], signal?: AbortSignal): GitChild {
  return gitLauncher().launch("git", args, { cwd: ctx.cwd, env: ctx.env, ...(signal ? { signal } : {}) });
}

/** Builds the typed error for a failed git process, scrubbing secrets everywhere. */
export function gitFailure(ctx: GitContext, args: readonly string[], exitCode: number | null, stderr: string, cause?: unknown): GitCommandError {
  const clean = args.map((a) => scrubSecrets(a, ctx.secrets));
  return new GitCommandError(clean, exitCode, scrubSecrets(stderr, ctx.secrets), cause === undefined ? undefined : { cause: scrubbedCause(ctx, cause) });
}

function scrubbedCause(ctx: GitContext, cause: unknown): Error {
  const message = messageOf(cause);
  return new Error(scrubSecrets(message, ctx.secrets));
}

/** Runs git to completion and returns its output; rejects with `GitCommandError`. */
export function runGit(ctx: GitContext, args: readonly string[], options: RunGitOptions = {}): Promise<GitOutput> {
  const okExitCodes = options.okExitCodes ?? [0];
  return new Promise((resolve, reject) => {
    let child: GitChild;
    try {
      child = startGit(ctx, args, options.signal);
    } catch (error) {
      reject(gitFailure(ctx, args, null, "", error));
      return;
    }
    const out: Buffer[] = [];
    let stderr = "";
    let failed: unknown;
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.toString("utf8");
    });
    child.on("error", (error) => {
      failed = error;
    });
    // git may exit before reading all of stdin; the exit code tells what happened.
    child.stdin.on("error", () => undefined);
    child.on("close", (code) => {
      if (failed !== undefined || code === null || !okExitCodes.includes(code)) {
        reject(gitFailure(ctx, args, code, stderr, failed));
        return;
      }
      resolve({ stdout: Buffer.concat(out), stderr, exitCode: code });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}
