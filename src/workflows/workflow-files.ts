/**
 * The files of a repository at the run's base commit, as saved-workflow
 * lookup reads them: through GitHub's contents API for a run on GitHub, or
 * from the local git repository for `dynflow run`. Both answer the same
 * three ways, so one set of rules (`findSavedWorkflow`) serves both.
 */
import { httpStatusOf, type GitHubClient } from "../github/github-client.js";
import type { GitRepository } from "../workspace/index.js";
import { UnreadableWorkflowError } from "./errors.js";

/** What is at a path: nothing, something that is not a regular file (a folder, a link, a submodule), or a file. */
export type WorkflowFileEntry = null | { kind: "other" } | { kind: "file"; size: number; bytes(): Promise<Buffer>; sha?: string };

/** A repository's files at one commit. */
export interface WorkflowFiles {
  /** Describes `path`; throws only when the repository cannot be read at all. */
  entry(path: string): Promise<WorkflowFileEntry>;
}

/** `owner/repo` at `ref` through the contents API (GitHub or GitHub Enterprise Server: the client's host). */
export function githubWorkflowFiles(github: GitHubClient, where: { owner: string; repo: string; ref: string }): WorkflowFiles {
  return {
    async entry(path) {
      let data;
      try {
        ({ data } = await github.rest.repos.getContent({ owner: where.owner, repo: where.repo, path, ref: where.ref }));
      } catch (error) {
        if (httpStatusOf(error) === 404) return null;
        throw error;
      }
      if (Array.isArray(data) || data.type !== "file") return { kind: "other" };
      const { encoding, content, size, sha } = data;
      return {
        kind: "file",
        size,
        sha,
        async bytes() {
          // GitHub leaves the content out (encoding "none") of files over 1 MB.
          if (encoding !== "base64" || typeof content !== "string") {
            throw new UnreadableWorkflowError(path, `GitHub returned it as ${JSON.stringify(encoding)}, not base64`);
          }
          return Buffer.from(content, "base64");
        },
      };
    },
  };
}

/** A local repository at `commit` (its tracked files; the checkout is never read), through the trees on each path's way. */
export function localWorkflowFiles(repository: GitRepository, commit: string): WorkflowFiles {
  return {
    async entry(path) {
      const found = await repository.entryAt(commit, path);
      // A submodule is no file of this repository, as a listing of its files leaves it out.
      if (found === null || found.kind === "submodule") return null;
      if (found.kind !== "file") return { kind: "other" };
      const bytes = await repository.readObject(found.oid);
      return { kind: "file", size: bytes.length, bytes: async () => bytes };
    },
  };
}
