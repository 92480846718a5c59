/**
 * Reads a repository's files at a commit through GitHub's contents API: one
 * text file, or the paths under a folder. What a run reads from the
 * repository on GitHub besides its clone (saved workflows, agent definitions,
 * `workflow({ scriptPath })`) comes through here.
 */
import { httpStatusOf, type GitHubClient } from "./github-client.js";

/** A repository at a commit (or ref). */
export interface RepositoryRef {
  owner: string;
  repo: string;
  ref: string;
}

export interface ReadFileOptions {
  /** Largest file read, in bytes. */
  maxBytes: number;
  /** The error for a file that exists but cannot be used (not a regular file, too large, not UTF-8). */
  unreadable: (path: string, reason: string) => Error;
}

/** The file's UTF-8 text and blob id at `where.ref`, or null when there is no such path. */
export async function readRepositoryFile(github: GitHubClient, where: RepositoryRef, path: string, options: ReadFileOptions): Promise<{ text: string; sha: string } | null> {
  let data;
  try {
    ({ data } = await github.rest.repos.getContent({ owner: where.owner, repo: where.repo, path, ref: where.ref }));
  } catch (error) {
    if (httpStatusOf(error) === 404) return null;
    throw error;
  }
  if (Array.isArray(data) || data.type !== "file") throw options.unreadable(path, "it is not a regular file");
  if (data.size > options.maxBytes) throw options.unreadable(path, `it is ${data.size} bytes, over the limit of ${options.maxBytes}`);
  if (data.encoding !== "base64" || typeof data.content !== "string") {
    throw options.unreadable(path, `GitHub returned it as ${JSON.stringify(data.encoding)}, not base64`);
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(data.content, "base64")), sha: data.sha };
  } catch {
    throw options.unreadable(path, "it is not UTF-8 text");
  }
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
