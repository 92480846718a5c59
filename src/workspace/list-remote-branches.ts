/**
 * Which of some branches the remote has, with one `git ls-remote`: a run
 * taken over on another machine may not have every branch an earlier
 * attempt pushed in its clone, and still must count them.
 */
import { checkRemoteUrl, gitEnvironment, secretForms } from "./git-env.js";
import { runGit, gitFailure, type GitContext } from "./run-git.js";

export interface ListRemoteBranchesOptions {
  /** Any repository directory to run git in (the clone). */
  repoDir: string;
  remoteUrl: string;
  token: string;
  env?: NodeJS.ProcessEnv;
}

/** The branches (short names) the remote has among `branches`. */
export async function listRemoteBranches(options: ListRemoteBranchesOptions, branches: readonly string[]): Promise<Set<string>> {
  if (branches.length === 0) return new Set();
  const remoteUrl = checkRemoteUrl(options.remoteUrl);
  const ctx: GitContext = { cwd: options.repoDir, env: gitEnvironment(options.env ?? process.env, { token: options.token }), secrets: secretForms(options.token) };
  const args = ["ls-remote", "--heads", remoteUrl];
  const output = await runGit(ctx, args, { okExitCodes: [0] });
  if (output.exitCode !== 0) throw gitFailure(ctx, args, output.exitCode, output.stderr);
  const wanted = new Set(branches);
  const found = new Set<string>();
  for (const line of output.stdout.toString("utf8").split("\n")) {
    const ref = line.split("\t")[1]?.trim();
    const branch = ref?.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined;
    if (branch !== undefined && wanted.has(branch)) found.add(branch);
  }
  return found;
}
