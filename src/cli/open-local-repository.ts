/**
 * The local git repository a `dynflow run` or `dynflow resume` works on,
 * opened from `--repo` with errors that say what was wrong with the path.
 */
import { stat } from "node:fs/promises";
import { GitCommandError, openRepository, type GitRepository } from "../workspace/index.js";
import { UsageError, type CliIo } from "./cli-io.js";

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
