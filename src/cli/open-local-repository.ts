/**
 * The local git repository a `dynflow run` or `dynflow resume` works on,
 * opened from `--repo` with errors that say what was wrong with the path.
 */
import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { promisify } from "node:util";
import { GitCommandError, gitEnvironment, openRepository, type GitRepository } from "../workspace/index.js";
import { UsageError, type CliIo } from "./cli-io.js";

const exec = promisify(execFile);

/** Opens the repository at `dir`; throws `UsageError` when it is not a directory or not a git repository. */
export async function openLocalRepository(dir: string, env: CliIo["env"]): Promise<GitRepository> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new UsageError(`--repo ${dir} is not a directory`);
  try {
    return await openRepository(dir, { env: env as NodeJS.ProcessEnv });
  } catch (error) {
    if (error instanceof GitCommandError) throw new UsageError(`--repo ${dir} is not a git repository`);
    throw error;
  }
}

/** The checked-out branch's name for the report, or `HEAD` when detached. */
export async function headName(dir: string, env: CliIo["env"]): Promise<string> {
  const found = await exec("git", ["symbolic-ref", "--short", "-q", "HEAD"], { cwd: dir, env: gitEnvironment(env as NodeJS.ProcessEnv) }).then(
    (out) => out.stdout.trim(),
    () => "",
  );
  return found || "HEAD";
}
