/**
 * Lists a folder of a repository at a commit through GitHub's contents API,
 * for lookups that identify files by what is in them (agent definitions by
 * their `name:`). Files themselves are read through `githubWorkflowFiles`.
 */
import { httpStatusOf, type GitHubClient } from "./github-client.js";

/** A repository at a commit (or ref). */
export interface RepositoryRef {
  owner: string;
  repo: string;
  ref: string;
}

/**
 * Paths of the files under `dir` at `where.ref` whose names end in `suffix`,
 * sorted, at most `maxFiles` (folders are walked breadth first, one request
 * each). Empty when the folder does not exist.
 */
export async function listRepositoryFiles(github: GitHubClient, where: RepositoryRef, dir: string, options: { suffix: string; maxFiles: number }): Promise<string[]> {
  const found: string[] = [];
  const folders = [dir];
  while (folders.length > 0 && found.length < options.maxFiles) {
    const folder = folders.shift() as string;
    let data;
    try {
      ({ data } = await github.rest.repos.getContent({ owner: where.owner, repo: where.repo, path: folder, ref: where.ref }));
    } catch (error) {
      if (httpStatusOf(error) === 404) continue;
      throw error;
    }
    if (!Array.isArray(data)) continue;
    for (const entry of data) {
      if (entry.type === "dir") folders.push(entry.path);
      else if (entry.type === "file" && entry.path.endsWith(options.suffix)) found.push(entry.path);
    }
  }
  return found.sort().slice(0, options.maxFiles);
}
