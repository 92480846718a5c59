/**
 * Reads a repository's `.github/dynflow.yml` where no webhook names the
 * repository (installation events list several; a schedule fires with no
 * event at all), exactly as a comment's context would read it.
 */
import { Context } from "probot";
import { loadRepoConfig, type ConfigContext } from "../../config/load-repo-config.js";
import type { ParseRepoConfigOptions, ParseRepoConfigResult } from "../../config/repo-config.js";
import type { GitHubClient } from "../../github/github-client.js";

/**
 * A `context.config` for `owner/repo` over an installation client. It runs
 * Probot's own `Context#config` (default branch, `_extends`, the owner's
 * `.github` repository, deep merge) on a stand-in that has only what that
 * method reads, so both paths read the same file the same way.
 */
export function configContextOf(github: GitHubClient, owner: string, repo: string): ConfigContext {
  const standIn = { octokit: github, repo: (extra: object) => ({ owner, repo, ...extra }) } as unknown as Context;
  return { config: (fileName, defaults, mergeOptions) => Context.prototype.config.call(standIn, fileName, defaults, mergeOptions) } as ConfigContext;
}

/** The validated config of `owner/repo`, or every problem with it (see `loadRepoConfig`). */
export function loadRepoConfigOf(github: GitHubClient, owner: string, repo: string, options: ParseRepoConfigOptions = {}): Promise<ParseRepoConfigResult> {
  return loadRepoConfig(configContextOf(github, owner, repo), options);
}
