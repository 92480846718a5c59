/**
 * Where agent definitions are read from in a local run: the repository at the
 * run's base commit, through git (never the working tree).
 */
import { WorkspacePathError } from "../workspace/index.js";
import type { GitRepository } from "../workspace/index.js";
import type { AgentDefinitionSource } from "./load-agent-types.js";

/** The definitions of `repository` at `commit`. */
export function definitionsAtCommit(repository: Pick<GitRepository, "readFile" | "listFiles">, commit: string): AgentDefinitionSource {
  return {
    where: `commit ${commit.slice(0, 12)}`,
    async read(path) {
      try {
        return (await repository.readFile(commit, path)).toString("utf8");
      } catch (error) {
        // Missing, a directory or a symlink: there is no definition file there.
        if (error instanceof WorkspacePathError) return null;
        throw error;
      }
    },
    async listMarkdown(dir) {
      const prefix = `${dir.replace(/\/+$/, "")}/`;
      return (await repository.listFiles(commit)).filter((path) => path.startsWith(prefix) && path.endsWith(".md"));
    },
  };
}
