/**
 * Commit and tree ids by name, for reconciliation. A run's step has its
 * clone open (`GitRepository`), whose long-lived `cat-file` answers them
 * without a git process per name; every process dynflow starts costs a fork
 * of the whole app process. Without an open repository, one git process each.
 */
import { CommitNotFoundError } from "../workspace/index.js";
import { findCommits } from "./read-objects.js";
import { firstLine, type Git } from "./run-git.js";
import type { OpenRepository } from "./types.js";

export interface ObjectNames {
  /** The full id of the commit `rev` names, or null when it names none. */
  commitOrNull(rev: string): Promise<string | null>;
  /** The id of a commit's root tree. */
  treeOf(commit: string): Promise<string>;
  /** Which of `commits` (hex ids, full or abbreviated) are commits in the repository, by the id given. */
  presentCommits(commits: readonly string[]): Promise<Set<string>>;
  /** The parent of a commit that has exactly one; null otherwise, or when finding out would cost a git process. */
  onlyParent(commit: string): Promise<string | null>;
}

/** Names through `repository` when one is open, else through `git`. */
export function objectNames(git: Git, repository?: OpenRepository): ObjectNames {
  return repository ? throughRepository(repository) : throughGit(git);
}

function throughRepository(repository: OpenRepository): ObjectNames {
  const commitOrNull = (rev: string) =>
    repository.resolveCommit(rev).catch((error: unknown) => {
      if (error instanceof CommitNotFoundError) return null;
      throw error;
    });
  return {
    commitOrNull,
    treeOf: (commit) => repository.treeOf(commit),
    async presentCommits(commits) {
      const candidates = [...new Set(commits)].filter((c) => /^[0-9a-f]{7,64}$/i.test(c));
      const found = await Promise.all(candidates.map(commitOrNull));
      return new Set(candidates.filter((_, n) => found[n] !== null));
    },
    async onlyParent(commit) {
      const [first, second] = await Promise.all([commitOrNull(`${commit}^1`), commitOrNull(`${commit}^2`)]);
      return second === null ? first : null;
    },
  };
}

function throughGit(git: Git): ObjectNames {
  return {
    async commitOrNull(rev) {
      const out = await git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], { okCodes: [1, 128] });
      return out.exitCode === 0 ? firstLine(out) : null;
    },
    treeOf: async (commit) => firstLine(await git(["rev-parse", `${commit}^{tree}`])),
    presentCommits: (commits) => findCommits(git, commits),
    onlyParent: async () => null,
  };
}
