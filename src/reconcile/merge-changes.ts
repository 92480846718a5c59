/**
 * Merges accepted worker changes into the run's result branch with real git
 * merges and no working tree: `git merge-tree --write-tree` against the result
 * so far, `git commit-tree` with both parents, `git update-ref` at the end.
 * Given the repository opened in this process, objects are read and commits
 * written through its long-lived git processes, and a change that touches
 * none of the files merged before it is laid over the result in process
 * (`GitRepository.mergeDisjoint`, the tree git would write).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { commitIdentityEnv } from "../workspace/index.js";
import type { ChangeRef } from "../runtime/types.js";
import { systemClock } from "../time.js";
import { BranchMovedError, GitCommandError, InvalidBranchNameError, UnknownCommitError } from "./errors.js";
import { conflictedPaths, parseMergeTree, type MergeTreeResult } from "./parse-merge-tree.js";
import { findCommits } from "./read-objects.js";
import { resolveConflict } from "./resolve-conflict.js";
import { createGit, firstLine, type Git } from "./run-git.js";
import type { MergeChangesOptions, ReconcileConflict, ReconcileResult } from "./types.js";
import { timeStage } from "../timing/stage-timer.js";

interface Head {
  commit: string;
  tree: string;
}

/**
 * Merges `changes` into `refs/heads/<targetBranch>`, starting from
 * `baseCommit`, in the given order (each change is merged into the result of
 * the ones before it, so order decides who is "ours" in a conflict).
 *
 * - A clean merge advances the result with a merge commit (parents: the result
 *   so far, the change's commit). A merge that changes nothing (the change is
 *   already in the result) counts as merged without a new commit.
 * - A conflicted merge goes to `resolveConflict`, once per change. Without a
 *   resolver, or when it gives up or fails, the change is left out and reported
 *   as an unresolved conflict with its paths. A change whose commit is not in
 *   the repository is reported the same way.
 * - When nothing is merged, the branch points at the base commit itself.
 * - The branch is always computed afresh from the base. If it already exists
 *   with the same tree and already contains everything merged now, it is kept
 *   as it is (so reconciling again does not rewrite it); otherwise it is moved
 *   to the new result, guarded against concurrent writers.
 */
export function mergeChanges(options: MergeChangesOptions): Promise<ReconcileResult> {
  return timeStage("merge", () => mergeChangesNow(options));
}

async function mergeChangesNow(options: MergeChangesOptions): Promise<ReconcileResult> {
  const { changes, targetBranch } = options;
  const log = options.log ?? pino({ enabled: false });
  const git = createGit(options.repoDir, options.env ?? process.env);
  const objects = mergeObjects(git, options);
  const ref = `refs/heads/${targetBranch}`;

  await assertBranchName(git, ref, targetBranch);
  const base = await objects.resolveBaseCommit(options.baseCommit);
  const previous = await objects.readRef(ref);
  const present = await objects.findCommits(changes.map((c) => c.change.commit));

  let head: Head = { commit: base, tree: await objects.treeOf(base) };
  // A merge without git needs `head` to hold only the base's history and the changes merged so far: true until git merges one.
  let inProcess = options.repository !== undefined;
  const merged: string[] = [];
  const mergedCommits: string[] = [];
  const conflicts: ReconcileConflict[] = [];
  // A scratch directory for a conflict's index, made when a conflict comes.
  let scratch: string | undefined;
  try {
    for (const { label, change } of changes) {
      if (!present.has(change.commit)) {
        const reason = `commit ${change.commit} (branch ${change.branch}) is not in the repository`;
        log.warn({ label, commit: change.commit }, "change commit missing; not merged");
        conflicts.push({ label, paths: change.files.map((f) => f.path), resolution: "unresolved", reason });
        continue;
      }
      const disjoint = inProcess && !mergedCommits.includes(change.commit) ? ((await options.repository?.mergeDisjoint(base, head.commit, change.commit)) ?? null) : null;
      if (disjoint === null) inProcess = false;
      const attempt: MergeTreeResult = disjoint !== null ? { clean: true, tree: disjoint, stages: [], messages: [] } : await gitMerge(git, head.commit, change.commit);
      let tree = attempt.tree;
      let resolvedPaths: string[] = [];
      if (!attempt.clean) {
        const paths = conflictedPaths(attempt);
        const outcome = await resolveConflict({
          git,
          indexFile: join((scratch ??= await mkdtemp(join(tmpdir(), "dynflow-reconcile-"))), "index"),
          label,
          change,
          attempt,
          resolver: options.resolveConflict,
          log,
        });
        if (!outcome.ok) {
          log.warn({ label, paths, reason: outcome.reason }, "change conflicts; not merged");
          conflicts.push({ label, paths, resolution: "unresolved", reason: outcome.reason });
          continue;
        }
        log.info({ label, paths }, "conflict resolved");
        conflicts.push({ label, paths, resolution: "resolved" });
        tree = outcome.tree;
        resolvedPaths = paths;
      }
      if (tree !== head.tree) {
        const message = commitMessage(label, change, targetBranch, resolvedPaths);
        head = { commit: await objects.commitTree(tree, [head.commit, change.commit], message), tree };
        mergedCommits.push(change.commit);
      }
      merged.push(label);
      log.debug({ label, commit: head.commit }, "change merged");
    }
  } finally {
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }

  const commit = await publish(git, objects, ref, targetBranch, previous, head, [base, ...mergedCommits]);
  log.info({ branch: targetBranch, commit, merged: merged.length, conflicts: conflicts.length }, "changes reconciled");
  return { branch: targetBranch, commit, tree: head.tree, merged, conflicts };
}

/** Branch names git always accepts (parts of letters, digits and inner hyphens), such as `dynflow/<run id>`: no need to ask it. */
const PLAIN_BRANCH = /^[A-Za-z0-9]+(?:-+[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:-+[A-Za-z0-9]+)*)*$/;

async function assertBranchName(git: Git, ref: string, branch: string): Promise<void> {
  if (PLAIN_BRANCH.test(branch)) return;
  const check = await git(["check-ref-format", ref], { okCodes: [1] });
  if (check.exitCode !== 0 || branch.startsWith("-")) throw new InvalidBranchNameError(branch);
}

/** Reads and writes of the merge: through `git` processes, or through the repository's long-lived ones. */
interface MergeObjects {
  resolveBaseCommit(commit: string): Promise<string>;
  /** The commit a ref points at; null when there is none. */
  readRef(ref: string): Promise<string | null>;
  treeOf(commit: string): Promise<string>;
  /** Which of `commits` are commits present in the repository, by the id given. */
  findCommits(commits: readonly string[]): Promise<Set<string>>;
  commitTree(tree: string, parents: string[], message: string): Promise<string>;
  /** Points `ref` at `next` if it is at `expected` (all zeros: if it does not exist); rejects with `GitCommandError` otherwise. */
  updateRef(ref: string, next: string, expected: string): Promise<void>;
}

function mergeObjects(git: Git, options: MergeChangesOptions): MergeObjects {
  const clock = options.clock ?? systemClock;
  const repository = options.repository;
  if (repository === undefined) {
    return {
      resolveBaseCommit: (commit) => resolveBaseCommit(git, commit),
      readRef: (ref) => readRef(git, ref),
      treeOf: (commit) => treeOf(git, commit),
      findCommits: (commits) => findCommits(git, commits),
      commitTree: (tree, parents, message) => commitTree(git, options, tree, parents, message),
      updateRef: async (ref, next, expected) => void (await git(["update-ref", "-m", "dynflow: reconcile", ref, next, expected])),
    };
  }
  const commitOf = (rev: string) => repository.resolveCommit(rev).catch(() => null);
  return {
    async resolveBaseCommit(commit) {
      const found = /^[0-9a-f]{7,64}$/i.test(commit) ? await commitOf(commit) : null;
      if (found === null) throw new UnknownCommitError(commit);
      return found;
    },
    readRef: commitOf,
    treeOf: (commit) => repository.treeOf(commit),
    async findCommits(commits) {
      const candidates = [...new Set(commits)].filter((c) => /^[0-9a-f]{7,64}$/i.test(c));
      const found = await Promise.all(candidates.map(commitOf));
      return new Set(candidates.filter((_, n) => found[n] !== null));
    },
    commitTree(tree, parents, message) {
      const seconds = Math.floor(clock.now() / 1000);
      return repository.writeCommit({ tree, parents, author: options.author, committer: options.author, seconds, message });
    },
    // Through the repository's long-lived `update-ref --stdin`: one git process fewer per merge.
    updateRef: (ref, next, expected) => repository.updateRef(ref, next, expected),
  };
}

/** Git's own merge of `theirs` into `ours`. */
async function gitMerge(git: Git, ours: string, theirs: string): Promise<MergeTreeResult> {
  const mergeRun = await git(["merge-tree", "--write-tree", "-z", "--messages", ours, theirs], { okCodes: [1] });
  return parseMergeTree(mergeRun.stdout.toString("utf8"), mergeRun.exitCode === 0);
}

async function resolveBaseCommit(git: Git, commit: string): Promise<string> {
  if (!/^[0-9a-f]{7,64}$/i.test(commit)) throw new UnknownCommitError(commit);
  const out = await git(["rev-parse", "--verify", "--quiet", `${commit}^{commit}`], { okCodes: [1, 128] });
  if (out.exitCode !== 0) throw new UnknownCommitError(commit);
  return firstLine(out);
}

async function readRef(git: Git, ref: string): Promise<string | null> {
  const out = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { okCodes: [1, 128] });
  return out.exitCode === 0 ? firstLine(out) : null;
}

async function treeOf(git: Git, commit: string): Promise<string> {
  return firstLine(await git(["rev-parse", `${commit}^{tree}`]));
}

function commitMessage(label: string, change: ChangeRef, branch: string, resolvedPaths: string[]): string {
  // Labels are model text: one line, bounded, so the subject stays a subject.
  const subject = label.replace(/\s+/g, " ").trim().slice(0, 72);
  const lines = [`Merge ${subject || change.branch} into ${branch}`, "", `Change: ${change.branch} (${change.commit})`];
  if (resolvedPaths.length > 0) lines.push("", "Resolved conflicts:", ...resolvedPaths.map((p) => `  ${p}`));
  return `${lines.join("\n")}\n`;
}

async function commitTree(
  git: Git,
  options: MergeChangesOptions,
  tree: string,
  parents: string[],
  message: string,
): Promise<string> {
  const clock = options.clock ?? systemClock;
  const seconds = Math.floor(clock.now() / 1000);
  const env = { ...commitIdentityEnv("AUTHOR", options.author, seconds), ...commitIdentityEnv("COMMITTER", options.author, seconds) };
  const args = ["commit-tree", "--no-gpg-sign", tree, ...parents.flatMap((p) => ["-p", p]), "-F", "-"];
  return firstLine(await git(args, { env, input: message }));
}

/** Points the branch at `head` unless it already holds the same result; returns the branch's commit. */
async function publish(
  git: Git,
  objects: MergeObjects,
  ref: string,
  branch: string,
  previous: string | null,
  head: Head,
  mustContain: string[],
): Promise<string> {
  if (previous === head.commit) return previous;
  const anythingMerged = mustContain.length > 1;
  if (previous !== null && anythingMerged && (await sameResult(git, previous, head.tree, mustContain))) return previous;
  const expected = previous ?? "0".repeat(head.commit.length);
  try {
    await objects.updateRef(ref, head.commit, expected);
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    const actual = await readRef(git, ref);
    if (actual !== previous) throw new BranchMovedError(branch, previous, actual);
    throw error;
  }
  return head.commit;
}

/** True when `commit` has `tree` and every commit of `mustContain` in its history. */
async function sameResult(git: Git, commit: string, tree: string, mustContain: string[]): Promise<boolean> {
  if ((await treeOf(git, commit)) !== tree) return false;
  const missing = await git(["rev-list", "--count", ...mustContain, "--not", commit]);
  return firstLine(missing) === "0";
}
