/**
 * Pushes many branches at once (one connection, one pack): to an HTTP(S)
 * remote from this process (push-over-http.ts), else, or when that declines,
 * with `git push`, the token in the environment only.
 */
import type { Logger } from "pino";
import { InvalidRefNameError, PushRejectedError } from "./errors.js";
import { checkRemoteUrl, gitEnvironment, secretForms } from "./git-env.js";
import { pushOverHttp, type PackSource } from "./push-over-http.js";
import { retryGitNetwork } from "./retry-git-network.js";
import { gitFailure, runGit, type GitContext } from "./run-git.js";
import { timeStage } from "../timing/stage-timer.js";

export interface PushBranchesOptions {
  /** The local repository (bare or not) holding the branches. */
  repoDir: string;
  /** Remote URL without credentials, e.g. the API's `clone_url`. */
  remoteUrl: string;
  token?: string;
  /** Refspecs such as `+refs/heads/dynflow/r1/a:refs/heads/dynflow/r1/a` (`+` forces). */
  refspecs: readonly string[];
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  log?: Logger;
  /** The repository at `repoDir`, to build the pack in process (see push-over-http.ts). */
  objects?: PackSource;
}

/** What happened to one ref, from `git push --porcelain`. */
export interface PushedRef {
  source: string;
  destination: string;
  status: "created" | "updated" | "forced" | "deleted" | "up-to-date" | "rejected";
  /** Git's summary, e.g. `[new branch]` or `[rejected] (non-fast-forward)`. */
  summary: string;
}

const STATUS: Record<string, PushedRef["status"]> = {
  "*": "created",
  " ": "updated",
  "+": "forced",
  "-": "deleted",
  "=": "up-to-date",
  "!": "rejected",
};

/** Parses the ref lines of `git push --porcelain`. */
export function parsePushPorcelain(stdout: string): PushedRef[] {
  const results: PushedRef[] = [];
  for (const line of stdout.split("\n")) {
    const match = /^([*+\-=! ])\t([^\t]*)\t(.*)$/.exec(line);
    if (!match) continue;
    const [source = "", destination = ""] = (match[2] as string).split(":");
    results.push({ source, destination, status: STATUS[match[1] as string] as PushedRef["status"], summary: match[3] as string });
  }
  return results;
}

/**
 * Pushes `refspecs` to `remoteUrl` in one push. Resolves with every
 * ref's outcome; throws `PushRejectedError` (with all outcomes) when the
 * remote refused some refs, and `GitCommandError` when the push failed as a whole.
 */
export function pushBranches(options: PushBranchesOptions): Promise<PushedRef[]> {
  return timeStage("push", () => pushBranchesNow(options));
}

async function pushBranchesNow(options: PushBranchesOptions): Promise<PushedRef[]> {
  const remoteUrl = checkRemoteUrl(options.remoteUrl);
  if (options.refspecs.length === 0) return [];
  for (const refspec of options.refspecs) {
    if (refspec.startsWith("-") || /[\s\0]/.test(refspec)) throw new InvalidRefNameError(refspec, "a refspec must not start with '-' or contain whitespace");
  }
  const direct = await pushOverHttp({ ...options, remoteUrl, env: options.env ?? process.env }).catch((error: unknown) => {
    if (options.signal?.aborted) throw error;
    options.log?.warn({ err: error }, "the push over HTTP failed before the remote reported; pushing with git");
    return null;
  });
  const results = direct ?? (await pushWithGit(options, remoteUrl));
  options.log?.info({ refs: results.length, rejected: results.filter((r) => r.status === "rejected").length, transport: direct ? "http" : "git" }, "pushed branches");
  if (results.some((r) => r.status === "rejected")) throw new PushRejectedError(results);
  return results;
}

/** `git push --porcelain`, again after a transient network failure. */
async function pushWithGit(options: PushBranchesOptions, remoteUrl: string): Promise<PushedRef[]> {
  const ctx: GitContext = {
    cwd: options.repoDir,
    env: gitEnvironment(options.env ?? process.env, { token: options.token }),
    secrets: secretForms(options.token),
  };
  const args = ["push", "--porcelain", "--no-verify", remoteUrl, ...options.refspecs];
  // A push that failed as a whole (no ref reported) on a transient network error is pushed again.
  return retryGitNetwork(
    async () => {
      const output = await runGit(ctx, args, { okExitCodes: [0, 1], signal: options.signal });
      const results = parsePushPorcelain(output.stdout.toString("utf8"));
      if (output.exitCode !== 0 && results.length === 0) throw gitFailure(ctx, args, output.exitCode, output.stderr);
      return results;
    },
    { signal: options.signal, onRetry: (error, attempt) => options.log?.warn({ err: error, attempt }, "push failed on the network; trying again") },
  );
}
