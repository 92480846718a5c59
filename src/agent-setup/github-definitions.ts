/**
 * Where a run on GitHub reads agent definitions: the base repository through
 * GitHub's contents API, at a ref the caller trusts (the base commit, or the
 * default branch when the base commit is a fork's), never the run's clone.
 */
import type { GitHubClient } from "../github/github-client.js";
import { listRepositoryFiles, type RepositoryRef } from "../github/list-repository-files.js";
import { githubWorkflowFiles, UnreadableWorkflowError } from "../workflows/index.js";
import { InvalidAgentDefinitionError } from "./errors.js";
import { MAX_SCANNED_DEFINITIONS, type AgentDefinitionSource } from "./load-agent-types.js";
import { MAX_DEFINITION_CHARS } from "./parse-agent-definition.js";

/** Characters take up to 4 bytes in UTF-8; the character limit itself is checked on the text. */
const MAX_DEFINITION_BYTES = MAX_DEFINITION_CHARS * 4;

/** The definitions of `where.owner/where.repo` at `where.ref`. */
export function definitionsOnGitHub(github: GitHubClient, where: RepositoryRef): AgentDefinitionSource {
  const files = githubWorkflowFiles(github, where);
  return {
    where: `${where.owner}/${where.repo} at ${/^[0-9a-f]{40,64}$/.test(where.ref) ? `commit ${where.ref.slice(0, 12)}` : where.ref}`,
    async read(path) {
      const entry = await files.entry(path);
      if (entry === null) return null;
      if (entry.kind !== "file") throw new InvalidAgentDefinitionError(path, "it is not a regular file");
      if (entry.size > MAX_DEFINITION_BYTES) throw new InvalidAgentDefinitionError(path, `it is ${entry.size} bytes, over the limit of ${MAX_DEFINITION_BYTES}`);
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(await entry.bytes());
      } catch (error) {
        throw new InvalidAgentDefinitionError(path, error instanceof UnreadableWorkflowError ? "GitHub did not return its content" : "it is not UTF-8 text");
      }
    },
    listMarkdown(dir) {
      return listRepositoryFiles(github, where, dir, { suffix: ".md", maxFiles: MAX_SCANNED_DEFINITIONS });
    },
  };
}
