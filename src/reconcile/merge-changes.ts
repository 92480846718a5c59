/**
 * Merges accepted worker changes into the run's result branch with real git
 * merges and no working tree: `git merge-tree --write-tree` against the result
 * so far, `git commit-tree` with both parents, `git update-ref` at the end.
 * Names (the base, the branch, the changes' commits) resolve, and merge
 * commits are written, through the run's open repository when it is given.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { commitIdentityEnv, formatCommitObject } from "../workspace/index.js";
import type { ChangeRef } from "../runtime/types.js";
import { systemClock } from "../time.js";
import { BranchMovedError, GitCommandError, InvalidBranchNameError, UnknownCommitError } from "./errors.js";
import { conflictedPaths, parseMergeTree, type MergeTreeResult } from "./parse-merge-tree.js";
import { objectNames, type ObjectNames } from "./object-names.js";
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
  const ref = `refs/heads/${targetBranch}`;

  const names = objectNames(git, options.repository);

  await assertBranchName(git, ref, targetBranch);
  const base = await resolveBaseCommit(names, options.baseCommit);
  const [previous, present, baseTree] = await Promise.all([
    names.commitOrNull(ref),
    names.presentCommits(changes.map((c) => c.change.commit)),
    names.treeOf(base),
  ]);

  let head: Head = { commit: base, tree: baseTree };
  const merged: string[] = [];
  const mergedCommits: string[] = [];
  const conflicts: ReconcileConflict[] = [];
  const scratch = await mkdtemp(join(tmpdir(), "dynflow-reconcile-"));
  try {
    for (const { label, change } of changes) {
      if (!present.has(change.commit)) {
        const reason = `commit ${change.commit} (branch ${change.branch}) is not in the repository`;
        log.warn({ label, commit: change.commit }, "change commit missing; not merged");
        conflicts.push({ label, paths: change.files.map((f) => f.path), resolution: "unresolved", reason });
        continue;
      }
      // A change made right on top of the result so far (the first change, forked from the base) merges to its own tree.
      const attempt: MergeTreeResult =
        (await names.onlyParent(change.commit)) === head.commit
          ? { clean: true, tree: await names.treeOf(change.commit), stages: [], messages: [] }
          : await mergeTree(git, head.commit, change.commit);
      let tree = attempt.tree;
      let resolvedPaths: string[] = [];
      if (!attempt.clean) {
        const paths = conflictedPaths(attempt);
        const outcome = await resolveConflict({
          git,
          indexFile: join(scratch, "index"),
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
        head = { commit: await commitTree(git, options, tree, [head.commit, change.commit], message), tree };
        mergedCommits.push(change.commit);
      }
      merged.push(label);
      log.debug({ label, commit: head.commit }, "change merged");
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  const commit = await publish(git, names, ref, targetBranch, previous, head, [base, ...mergedCommits]);
  log.info({ branch: targetBranch, commit, merged: merged.length, conflicts: conflicts.length }, "changes reconciled");
  return { branch: targetBranch, commit, tree: head.tree, merged, conflicts };
}

async function assertBranchName(git: Git, ref: string, branch: string): Promise<void> {
  if (branch.startsWith("-")) throw new InvalidBranchNameError(branch);
  // dynflow's own branch names pass a stricter rule than git's; only other names cost a git process.
  if (plainRefName(ref)) return;
  const check = await git(["check-ref-format", ref], { okCodes: [1] });
  if (check.exitCode !== 0) throw new InvalidBranchNameError(branch);
}

/**
 * A ref name git accepts for certain (`git check-ref-format`'s rules on a
 * narrower alphabet): letters, digits, `.`, `_`, `-` and `/` only; two
 * components at least (`refs/heads/...` always has them); no empty
 * component, none starting with `.` or ending with `.lock`; no `..`; not
 * ending with `.`. A name this refuses may still be valid: ask git.
 */
export function plainRefName(ref: string): boolean {
  if (!/^[A-Za-z0-9._/-]+$/.test(ref) || !ref.includes("/") || ref.includes("..") || ref.endsWith(".")) return false;
  return ref.split("/").every((part) => part !== "" && !part.startsWith(".") && !part.endsWith(".lock"));
}

async function mergeTree(git: Git, ours: string, theirs: string): Promise<MergeTreeResult> {
  const run = await git(["merge-tree", "--write-tree", "-z", "--messages", ours, theirs], { okCodes: [1] });
  return parseMergeTree(run.stdout.toString("utf8"), run.exitCode === 0);
}

async function resolveBaseCommit(names: ObjectNames, commit: string): Promise<string> {
  if (!/^[0-9a-f]{7,64}$/i.test(commit)) throw new UnknownCommitError(commit);
  const resolved = await names.commitOrNull(commit);
  if (resolved === null) throw new UnknownCommitError(commit);
  return resolved;
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
  // The bytes commit-tree would write, through the open repository's long-lived hash-object; an identity git refuses goes to commit-tree for git's own error.
  const object = options.repository ? formatCommitObject({ tree, parents, author: options.author, committer: options.author, seconds, message }) : null;
  if (object !== null && options.repository) return options.repository.writeCommitObject(object);
  const env = { ...commitIdentityEnv("AUTHOR", options.author, seconds), ...commitIdentityEnv("COMMITTER", options.author, seconds) };
  const args = ["commit-tree", "--no-gpg-sign", tree, ...parents.flatMap((p) => ["-p", p]), "-F", "-"];
  return firstLine(await git(args, { env, input: message }));
}

/** Points the branch at `head` unless it already holds the same result; returns the branch's commit. */
async function publish(
  git: Git,
  names: ObjectNames,
  ref: string,
  branch: string,
  previous: string | null,
  head: Head,
  mustContain: string[],
): Promise<string> {
  if (previous === head.commit) return previous;
  const anythingMerged = mustContain.length > 1;
  if (previous !== null && anythingMerged && (await sameResult(git, names, previous, head.tree, mustContain))) return previous;
  const expected = previous ?? "0".repeat(head.commit.length);
  try {
    await git(["update-ref", "-m", "dynflow: reconcile", ref, head.commit, expected]);
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    const actual = await names.commitOrNull(ref);
    if (actual !== previous) throw new BranchMovedError(branch, previous, actual);
    throw error;
  }
  return head.commit;
}

/** True when `commit` has `tree` and every commit of `mustContain` in its history. */
async function sameResult(git: Git, names: ObjectNames, commit: string, tree: string, mustContain: string[]): Promise<boolean> {
  if ((await names.treeOf(commit)) !== tree) return false;
  const missing = await git(["rev-list", "--count", ...mustContain, "--not", commit]);
  return firstLine(missing) === "0";
}
