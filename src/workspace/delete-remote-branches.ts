/**
 * Deletes branches on a remote: one `git ls-remote` finds them (whoever
 * pushed them, from whichever machine), one `git push` of delete refspecs
 * removes them, the token in the environment only. Needs no clone: git runs
 * in an empty scratch repository that is removed afterwards.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { PushRejectedError } from "./errors.js";
import { checkRemoteUrl, gitEnvironment, secretForms } from "./git-env.js";
import { pushBranches } from "./push-branches.js";
import { gitFailure, runGit, type GitContext } from "./run-git.js";

export interface DeleteRemoteBranchesOptions {
  /** Remote URL without credentials, e.g. the API's `clone_url`. */
  remoteUrl: string;
  token?: string;
  /** Which of the remote's branches (short names, e.g. `dynflow/r-1-work/a`) to delete. */
  select: (branch: string) => boolean;
  /** Where the scratch repository goes. Default: the system's temporary directory. */
  scratchDir?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: Logger;
}

/**
 * Deletes the remote's branches that `select` picks; resolves the names it
 * deleted (none when there were none). Idempotent: a branch deleted by
 * someone else meanwhile is not an error.
 */
export async function deleteRemoteBranches(options: DeleteRemoteBranchesOptions): Promise<string[]> {
  const remoteUrl = checkRemoteUrl(options.remoteUrl);
  const scratch = await mkdtemp(join(options.scratchDir ?? tmpdir(), "dynflow-prune-"));
  try {
    const ctx: GitContext = { cwd: scratch, env: gitEnvironment(options.env ?? process.env, { token: options.token }), secrets: secretForms(options.token) };
    await runGit(ctx, ["init", "--bare", "--quiet"], { okExitCodes: [0], signal: options.signal });
    const branches = (await listBranches(ctx, remoteUrl, options.signal)).filter(options.select).sort();
    if (branches.length === 0) return [];
    try {
      await pushBranches({ repoDir: scratch, remoteUrl, token: options.token, refspecs: branches.map((branch) => `:refs/heads/${branch}`), env: options.env, signal: options.signal, log: options.log });
    } catch (error) {
      // Refused refs that are gone anyway (deleted by another process since the listing) are what was wanted.
      if (!(error instanceof PushRejectedError)) throw error;
      const left = new Set(await listBranches(ctx, remoteUrl, options.signal));
      if (branches.some((branch) => left.has(branch))) throw error;
    }
    options.log?.info({ branches: branches.length }, "deleted branches on the remote");
    return branches;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Every branch of the remote (short names). */
async function listBranches(ctx: GitContext, remoteUrl: string, signal: AbortSignal | undefined): Promise<string[]> {
  const args = ["ls-remote", "--heads", remoteUrl];
  const output = await runGit(ctx, args, { okExitCodes: [0], signal });
  if (output.exitCode !== 0) throw gitFailure(ctx, args, output.exitCode, output.stderr);
  const branches: string[] = [];
  for (const line of output.stdout.toString("utf8").split("\n")) {
    const ref = line.split("\t")[1]?.trim();
    if (ref?.startsWith("refs/heads/")) branches.push(ref.slice("refs/heads/".length));
  }
  return branches;
}
