/**
 * Reads several git objects in one `git cat-file --batch` process.
 */
import type { Git } from "./run-git.js";

/**
 * Returns the contents of each object spec (an object id or `<tree>:<path>`),
 * in order; `null` where the object does not exist. Specs must not contain a
 * newline (the batch protocol is line-based).
 */
export async function readObjects(git: Git, specs: readonly string[]): Promise<(Buffer | null)[]> {
  if (specs.length === 0) return [];
  const { stdout } = await git(["cat-file", "--batch"], { input: specs.map((s) => `${s}\n`).join("") });
  const contents: (Buffer | null)[] = [];
  let at = 0;
  for (let n = 0; n < specs.length; n++) {
    const end = stdout.indexOf(0x0a, at);
    if (end < 0) throw new SyntaxError("git cat-file --batch ended early");
    const header = stdout.subarray(at, end).toString("utf8");
    // "<oid> <type> <size>" for a found object; "<spec> missing" (or "ambiguous") otherwise.
    const match = /^[0-9a-f]+ \S+ (\d+)$/.exec(header);
    if (match === null) {
      contents.push(null);
      at = end + 1;
      continue;
    }
    const size = Number(match[1]);
    contents.push(stdout.subarray(end + 1, end + 1 + size));
    at = end + 1 + size + 1;
  }
  return contents;
}

/**
 * Returns which of `commits` are commits present in the repository, by the
 * id given. One process for all.
 */
export async function findCommits(git: Git, commits: readonly string[]): Promise<Set<string>> {
  const candidates = [...new Set(commits)].filter((c) => /^[0-9a-f]{7,64}$/i.test(c));
  if (candidates.length === 0) return new Set();
  const { stdout } = await git(["cat-file", "--batch-check"], { input: candidates.map((c) => `${c}^{commit}\n`).join("") });
  const lines = stdout.toString("utf8").split("\n");
  const found = new Set<string>();
  candidates.forEach((commit, n) => {
    if (/^[0-9a-f]+ commit \d+$/.test(lines[n] ?? "")) found.add(commit);
  });
  return found;
}
