/**
 * The run's result so far, as one commit: the base with the changes that
 * would be merged if the run ended now, merged the way reconciliation merges
 * them (no conflict resolver: a change that conflicts is left out and named).
 * `refute({ claim })` is judged on it, so a post-migration audit reads the
 * migrated tree rather than the base.
 *
 * The commit is dated at the base commit's time, so the same changes always
 * give the same commit id: a claim's refuters keep their journal key when a
 * run is resumed. It lives on `dynflow/<run-id>-work/result-so-far-<hash>`,
 * a worker-branch name, so `dynflow clean` and a worker on another machine
 * (which fetches a refuter's subject by branch) treat it like any change.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { ResultSoFar, BuildResultSoFar } from "../review/types.js";
import type { ChangeRef } from "../runtime/types.js";
import { resultBranch, type CommitIdentity, type GitRepository } from "../workspace/index.js";
import { mergeChanges } from "./merge-changes.js";
import { createGit, firstLine, type Git } from "./run-git.js";
import type { ChangeToMerge } from "./types.js";

export interface ResultSoFarOptions {
  repoDir: string;
  /** The same repository, open (see `MergeChangesOptions.repository`). */
  repository?: GitRepository;
  runId: string;
  baseCommit: string;
  author: CommitIdentity;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
}

/** Branch prefix of a run's results so far (under its worker branches). */
export function resultSoFarPrefix(runId: string): string {
  return `${resultBranch(runId)}-work/result-so-far-`;
}

/** Creates the builder for one run; the same changes are merged once, however many claims ask. */
export function createResultSoFar(options: ResultSoFarOptions): BuildResultSoFar {
  const git = createGit(options.repoDir, options.env ?? process.env);
  const built = new Map<string, Promise<ResultSoFar>>();
  let baseTime: Promise<number> | undefined;
  return (changes) => {
    const key = createHash("sha256")
      .update(JSON.stringify(changes.map((c) => [c.label, c.change.commit])))
      .digest("hex")
      .slice(0, 12);
    let found = built.get(key);
    if (!found) {
      baseTime ??= commitTime(git, options.baseCommit);
      found = build(git, options, changes, `${resultSoFarPrefix(options.runId)}${key}`, baseTime);
      // A failed build is not kept: the next claim tries again.
      found.catch(() => built.delete(key));
      built.set(key, found);
    }
    return found;
  };
}

async function build(git: Git, options: ResultSoFarOptions, changes: readonly ChangeToMerge[], branch: string, at: Promise<number>): Promise<ResultSoFar> {
  const seconds = await at;
  const result = await mergeChanges({
    repoDir: options.repoDir,
    ...(options.repository ? { repository: options.repository } : {}),
    baseCommit: options.baseCommit,
    targetBranch: branch,
    changes,
    author: options.author,
    clock: { now: () => seconds * 1000 },
    ...(options.env ? { env: options.env } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const merged = new Set(result.merged);
  const files = await changedFiles(git, options.baseCommit, result.commit);
  const change: ChangeRef = {
    branch,
    commit: result.commit,
    base: options.baseCommit,
    files,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    incomplete: changes.some((c) => merged.has(c.label) && c.change.incomplete),
  };
  return { change, merged: result.merged, left: result.conflicts.filter((c) => c.resolution === "unresolved").map((c) => c.label) };
}

async function commitTime(git: Git, commit: string): Promise<number> {
  return Number(firstLine(await git(["show", "-s", "--format=%ct", commit])));
}

/** Files changed between two commits, with their line counts (binary files count 0). */
async function changedFiles(git: Git, from: string, to: string): Promise<ChangeRef["files"]> {
  const statuses = fields(await git(["diff-tree", "-r", "-z", "--no-renames", "--name-status", from, to]));
  const counts = fields(await git(["diff-tree", "-r", "-z", "--no-renames", "--numstat", from, to]));
  const lines = new Map<string, { additions: number; deletions: number }>();
  for (const entry of counts) {
    // `--numstat -z`: "<added>\t<deleted>\t<path>" per entry ("-" for binary files).
    const [added, deleted, ...path] = entry.split("\t");
    lines.set(path.join("\t"), { additions: Number(added) || 0, deletions: Number(deleted) || 0 });
  }
  const files: ChangeRef["files"] = [];
  for (let i = 0; i + 1 < statuses.length; i += 2) {
    const code = statuses[i] as string;
    const path = statuses[i + 1] as string;
    const status = code === "A" ? "added" : code === "D" ? "deleted" : "modified";
    files.push({ path, status, ...(lines.get(path) ?? { additions: 0, deletions: 0 }) });
  }
  return files;
}

function fields(output: { stdout: Buffer }): string[] {
  return output.stdout.toString("utf8").split("\0").filter((field) => field !== "");
}
