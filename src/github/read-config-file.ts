/**
 * Reads a repository's `.github/<file>` settings the way Probot's
 * `context.config` does (the default branch, `_extends`, the owner's
 * `.github` repository as fallback, deep merge), through the config plugin's
 * public API (`octokit.config.get`), for any repository the client can see:
 * a comment's, a push's, or one an installation event or a schedule names.
 */
import { posix } from "node:path";
import merge from "deepmerge";
import { ExtendsNotFoundError } from "./errors.js";
import type { GitHubClient } from "./github-client.js";

/** Reads `.github/<fileName>` as settings; null when neither the repository nor what it extends has the file. */
export interface ConfigSource {
  config<T = Record<string, unknown>>(fileName: string): Promise<T | null>;
}

/** The settings source of `owner/repo` through `github`. GitHub's errors (and the plugin's, e.g. invalid YAML) are thrown. */
export function configSourceOf(github: GitHubClient, owner: string, repo: string): ConfigSource {
  return {
    async config<T>(fileName: string): Promise<T | null> {
      const { config, files } = await github.config.get({
        owner,
        repo,
        path: posix.join(".github", fileName),
        // Deep, as Probot merges them: an extending file overrides single keys of a shared section.
        defaults: (configs) => merge.all<Record<string, unknown>>([{}, ...configs]),
      });
      const missing = missingExtends(files);
      if (missing !== null) throw missing;
      return files.some((file) => file.config !== null) ? (config as T) : null;
    },
  };
}

interface ConfigFile {
  owner: string;
  repo: string;
  path: string;
  config: Record<string, unknown> | null;
}

/**
 * The plugin reads a file's `_extends` target right after it, and reads
 * nothing after a target it did not find. A file without settings that
 * follows one with settings is therefore an `_extends` target that is
 * missing (the owner's `.github` fallback only follows a file that is missing itself).
 */
function missingExtends(files: readonly ConfigFile[]): ExtendsNotFoundError | null {
  for (let i = 1; i < files.length; i++) {
    const before = files[i - 1]!;
    const file = files[i]!;
    if (before.config !== null && file.config === null) {
      return new ExtendsNotFoundError(`${file.owner}/${file.repo}:${file.path}`, `${before.owner}/${before.repo}:${before.path}`);
    }
  }
  return null;
}
