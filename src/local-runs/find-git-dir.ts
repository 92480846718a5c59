import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gitEnvironment } from "../workspace/index.js";

const exec = promisify(execFile);

/**
 * The absolute git directory of the repository `dir` is in (bare or not),
 * or null when `dir` is not in one. Reads only: no long-lived git process,
 * for commands that only read the local store.
 */
export async function findGitDir(dir: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    // Only git's own variables reach git (see git-env.ts): never the caller's secrets.
    const { stdout } = await exec("git", ["rev-parse", "--absolute-git-dir"], { cwd: dir, env: gitEnvironment(env) });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}
