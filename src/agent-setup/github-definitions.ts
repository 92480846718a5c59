/**
 * Where a run on GitHub reads agent definitions: the base repository through
 * GitHub's contents API, at a ref the caller trusts (the base commit, or the
 * default branch when the base commit is a fork's), never the run's clone.
 */
import type { GitHubClient } from "../github/github-client.js";
import { listRepositoryFiles, readRepositoryFile, type RepositoryRef } from "../github/read-repository-file.js";
import { InvalidAgentDefinitionError } from "./errors.js";
import { MAX_SCANNED_DEFINITIONS, type AgentDefinitionSource } from "./load-agent-types.js";
import { MAX_DEFINITION_CHARS } from "./parse-agent-definition.js";

/** The definitions of `where.owner/where.repo` at `where.ref`. */
export function definitionsOnGitHub(github: GitHubClient, where: RepositoryRef): AgentDefinitionSource {
  return {
    where: `${where.owner}/${where.repo} at ${/^[0-9a-f]{40,64}$/.test(where.ref) ? `commit ${where.ref.slice(0, 12)}` : where.ref}`,
    async read(path) {
      // Characters take up to 4 bytes in UTF-8; the character limit is checked on the text.
      const file = await readRepositoryFile(github, where, path, {
        maxBytes: MAX_DEFINITION_CHARS * 4,
        unreadable: (at, reason) => new InvalidAgentDefinitionError(at, reason),
      });
      return file === null ? null : file.text;
    },
    listMarkdown(dir) {
      return listRepositoryFiles(github, where, dir, { suffix: ".md", maxFiles: MAX_SCANNED_DEFINITIONS });
    },
  };
}
