/**
 * Where a repository's clone lives under the data directory, for every
 * process that clones (the app running a run, a worker running its agents):
 * one layout, keyed by the clone URL, so processes sharing a data directory
 * share their clones too.
 */
import { join } from "node:path";

/**
 * Where a remote's clone lives: `<dataDir>/clones/<host>/<path>`, each part
 * reduced to safe characters (a URL never picks a directory outside).
 */
export function cloneDir(dataDir: string, cloneUrl: string): string {
  let host = "local";
  let path = cloneUrl;
  if (URL.canParse(cloneUrl)) {
    const url = new URL(cloneUrl);
    host = url.host || url.protocol.replace(/:$/, "");
    path = url.pathname;
  }
  const parts = path
    .split("/")
    .map((part) => part.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_"))
    .filter((part) => part !== "");
  const safeHost = host.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_");
  const name = parts.join("__") || "repository";
  return join(dataDir, "clones", safeHost, name.endsWith(".git") ? name : `${name}.git`);
}

/** The clone directory of `owner/repo` on `host` (GitHub's https clone URL). */
export function cloneDirOf(dataDir: string, repository: { owner: string; repo: string }, host = "github.com"): string {
  return cloneDir(dataDir, `https://${host}/${repository.owner}/${repository.repo}.git`);
}
