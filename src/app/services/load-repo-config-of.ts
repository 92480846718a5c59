/**
 * Reads a repository's `.github/dynflow.yml` through an installation client:
 * for a comment, a push, an installation event or a schedule alike, so every
 * path reads the same file the same way.
 */
import { loadRepoConfig } from "../../config/load-repo-config.js";
import type { ParseRepoConfigOptions, ParseRepoConfigResult } from "../../config/repo-config.js";
import type { GitHubClient } from "../../github/github-client.js";
import { configSourceOf } from "../../github/read-config-file.js";

/** The validated config of `owner/repo`, or every problem with it (see `loadRepoConfig`). */
export function loadRepoConfigOf(github: GitHubClient, owner: string, repo: string, options: ParseRepoConfigOptions = {}): Promise<ParseRepoConfigResult> {
  return loadRepoConfig(configSourceOf(github, owner, repo), options);
}
