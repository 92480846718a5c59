/**
 * Lines added and deleted per file, read from a patch `git diff-tree -p`
 * printed, so a commit needs one diff for both its statistics and the diff
 * its refuters read. Counts what `--numstat` counts: `+` and `-` lines of the
 * hunks (a binary file, or a change of mode alone, counts 0).
 */

/** Paths git prints as they are in a `diff --git` header (no quoting), whatever `core.quotePath` says. */
const PLAIN_PATH = /^[\x20-\x7e]+$/;

/**
 * The counts for each of `paths` from `patch`, or null when a path is one git
 * may quote in the header (the caller then asks git for `--numstat`). A path
 * the patch does not mention counts 0.
 */
export function patchStats(patch: string, paths: readonly string[]): Map<string, { additions: number; deletions: number }> | null {
  if (paths.some((path) => !PLAIN_PATH.test(path) || path.includes('"') || path.includes("\\"))) return null;
  const byHeader = new Map(paths.map((path) => [`diff --git a/${path} b/${path}`, path]));
  const stats = new Map(paths.map((path) => [path, { additions: 0, deletions: 0 }]));
  let current: { additions: number; deletions: number } | undefined;
  let inHunks = false;
  for (const line of patch.split("\n")) {
    if (line.startsWith("diff --git ")) {
      const path = byHeader.get(line);
      current = path === undefined ? undefined : stats.get(path);
      inHunks = false;
    } else if (line.startsWith("@@")) {
      inHunks = true;
    } else if (inHunks && current !== undefined) {
      if (line.startsWith("+")) current.additions++;
      else if (line.startsWith("-")) current.deletions++;
    }
  }
  return stats;
}
