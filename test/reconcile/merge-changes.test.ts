import { readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BranchMovedError, InvalidBranchNameError, UnknownCommitError } from "../../src/reconcile/errors.js";
import { mergeChanges } from "../../src/reconcile/merge-changes.js";
import type { ConflictInput, MergeChangesOptions } from "../../src/reconcile/types.js";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { createFixtureRepo, type FixtureRepo } from "./git-fixture.js";
import { loggingGit } from "../workspace/git-fixture.js";

const author = { name: "dynflow[bot]", email: "dynflow@example.com" };
const fixedClock = { now: () => 1_720_000_000_000 };

let repo: FixtureRepo;
/** The repository opened in process, for the runs that merge through it. */
let repository: GitRepository | undefined;

beforeEach(() => {
  repo = createFixtureRepo({
    "a.txt": "alpha\n",
    "b.txt": "bravo\n",
    "shared.txt": "one\ntwo\nthree\n",
    "gone.txt": "keep me\n",
  });
});

afterEach(() => repo.dispose());

function options(overrides: Partial<MergeChangesOptions>): MergeChangesOptions {
  return {
    repoDir: repo.dir,
    baseCommit: repo.base,
    targetBranch: "dynflow/run-1",
    changes: [],
    author,
    clock: fixedClock,
    ...(repository ? { repository } : {}),
    ...overrides,
  };
}

const parents = (commit: string) => repo.git(["rev-list", "--parents", "-n", "1", commit]).trim().split(" ").slice(1);

describe.each([false, true])("mergeChanges (through the repository opened in process: %s)", (inProcess) => {
  beforeEach(async () => {
    repository = inProcess ? await openRepository(repo.dir) : undefined;
  });

  afterEach(async () => {
    await repository?.close();
    repository = undefined;
  });

  it("merges two disjoint changes with a merge commit each, in order", async () => {
    const one = repo.change("one", { "a.txt": "ALPHA\n" });
    const two = repo.change("two", { "b.txt": "BRAVO\n", "new.txt": "fresh\n" });

    const result = await mergeChanges(options({ changes: [{ label: "one", change: one }, { label: "two", change: two }] }));

    expect(result.merged).toEqual(["one", "two"]);
    expect(result.conflicts).toEqual([]);
    expect(repo.git(["rev-parse", "refs/heads/dynflow/run-1"]).trim()).toBe(result.commit);
    expect(repo.show(result.commit, "a.txt")).toBe("ALPHA\n");
    expect(repo.show(result.commit, "b.txt")).toBe("BRAVO\n");
    expect(repo.show(result.commit, "new.txt")).toBe("fresh\n");
    expect(repo.git(["rev-parse", `${result.commit}^{tree}`]).trim()).toBe(result.tree);
    const [first, second] = parents(result.commit);
    expect(second).toBe(two.commit);
    expect(parents(first!)).toEqual([repo.base, one.commit]);
    expect(repo.git(["log", "-1", "--format=%an <%ae>%n%s", result.commit])).toBe(
      "dynflow[bot] <dynflow@example.com>\nMerge two into dynflow/run-1\n",
    );
  });

  it("reports a same-line edit as an unresolved conflict with its paths and leaves it out", async () => {
    const one = repo.change("one", { "shared.txt": "one\nTWO from one\nthree\n" });
    const two = repo.change("two", { "shared.txt": "one\nTWO from two\nthree\n", "b.txt": "BRAVO\n" });

    const result = await mergeChanges(options({ changes: [{ label: "one", change: one }, { label: "two", change: two }] }));

    expect(result.merged).toEqual(["one"]);
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0]).toMatchObject({ label: "two", paths: ["shared.txt"], resolution: "unresolved" });
    expect(result.conflicts[0]!.reason).toContain("no conflict resolver was given");
    expect(result.conflicts[0]!.reason).toContain("CONFLICT (contents)");
    expect(repo.show(result.commit, "shared.txt")).toBe("one\nTWO from one\nthree\n");
    // The conflicted change's clean files are not merged either: a change lands whole or not at all.
    expect(repo.show(result.commit, "b.txt")).toBe("bravo\n");
  });

  it("commits the resolver's contents and gives it base, ours, theirs and the marked file", async () => {
    const one = repo.change("one", { "shared.txt": "one\nTWO from one\nthree\n" });
    const two = repo.change("two", { "shared.txt": "one\nTWO from two\nthree\n", "b.txt": "BRAVO\n" });
    const resolver = vi.fn(async (input: ConflictInput) => {
      const file = input.files[0]!;
      return { [file.path]: `${file.ours!.trimEnd()}\n${file.theirs!.split("\n")[1]}\n` };
    });

    const result = await mergeChanges(
      options({ changes: [{ label: "one", change: one }, { label: "two", change: two }], resolveConflict: resolver }),
    );

    expect(resolver).toHaveBeenCalledTimes(1);
    const input = resolver.mock.calls[0]![0];
    expect(input.label).toBe("two");
    expect(input.change).toBe(two);
    expect(input.types).toEqual(["CONFLICT (contents)"]);
    expect(input.files).toHaveLength(1);
    expect(input.files[0]).toMatchObject({
      path: "shared.txt",
      base: "one\ntwo\nthree\n",
      ours: "one\nTWO from one\nthree\n",
      theirs: "one\nTWO from two\nthree\n",
    });
    expect(input.files[0]!.marked).toMatch(/^<<<<<<< .*\nTWO from one\n=======\nTWO from two\n>>>>>>> /m);

    expect(result.merged).toEqual(["one", "two"]);
    expect(result.conflicts).toEqual([{ label: "two", paths: ["shared.txt"], resolution: "resolved" }]);
    expect(repo.show(result.commit, "shared.txt")).toBe("one\nTWO from one\nthree\nTWO from two\n");
    expect(repo.show(result.commit, "b.txt")).toBe("BRAVO\n");
    expect(parents(result.commit)[1]).toBe(two.commit);
    expect(repo.git(["log", "-1", "--format=%b", result.commit])).toContain("Resolved conflicts:\n  shared.txt");
  });

  it.each([
    ["gives up", async () => null, "the conflict resolver gave up"],
    ["returns no object", async () => undefined as never, "the conflict resolver gave up"],
    ["throws", async () => Promise.reject(new Error("model overloaded")), "the conflict resolver failed: model overloaded"],
    ["skips a path", async () => ({ "other.txt": "x" }), "the conflict resolver left shared.txt unresolved"],
  ])("keeps the change out when the resolver %s", async (_name, resolve, reason) => {
    const one = repo.change("one", { "shared.txt": "one\nA\nthree\n" });
    const two = repo.change("two", { "shared.txt": "one\nB\nthree\n" });

    const result = await mergeChanges(
      options({ changes: [{ label: "one", change: one }, { label: "two", change: two }], resolveConflict: resolve }),
    );

    expect(result.merged).toEqual(["one"]);
    expect(result.conflicts).toHaveLength(1);
    expect(result.conflicts[0]).toMatchObject({ label: "two", paths: ["shared.txt"], resolution: "unresolved" });
    expect(result.conflicts[0]!.reason).toContain(reason);
    expect(repo.show(result.commit, "shared.txt")).toBe("one\nA\nthree\n");
  });

  it("handles a delete-vs-modify conflict: reported without a resolver, deletable with one", async () => {
    const remove = repo.change("remove", { "gone.txt": null });
    const edit = repo.change("edit", { "gone.txt": "keep me, edited\n" });
    const changes = [
      { label: "remove", change: remove },
      { label: "edit", change: edit },
    ];

    const unresolved = await mergeChanges(options({ changes }));
    expect(unresolved.merged).toEqual(["remove"]);
    expect(unresolved.conflicts).toHaveLength(1);
    expect(unresolved.conflicts[0]).toMatchObject({ label: "edit", paths: ["gone.txt"], resolution: "unresolved" });
    expect(unresolved.conflicts[0]!.reason).toContain("CONFLICT (modify/delete)");
    expect(repo.show(unresolved.commit, "gone.txt")).toBeNull();

    const resolver = vi.fn(async (input: ConflictInput) => ({ [input.files[0]!.path]: null }));
    const resolved = await mergeChanges(options({ changes, resolveConflict: resolver, targetBranch: "dynflow/run-2" }));
    expect(resolver.mock.calls[0]![0].files[0]).toMatchObject({
      path: "gone.txt",
      base: "keep me\n",
      ours: null,
      theirs: "keep me, edited\n",
    });
    expect(resolved.merged).toEqual(["remove", "edit"]);
    expect(resolved.conflicts).toEqual([{ label: "edit", paths: ["gone.txt"], resolution: "resolved" }]);
    expect(repo.show(resolved.commit, "gone.txt")).toBeNull();
    expect(parents(resolved.commit)).toHaveLength(2);
  });

  it("does not hand binary files to the resolver", async () => {
    const one = repo.change("one", { "blob.bin": "\0\x01one" });
    const two = repo.change("two", { "blob.bin": "\0\x01two" });
    const resolver = vi.fn(async () => ({ "blob.bin": "text" }));

    const result = await mergeChanges(
      options({ changes: [{ label: "one", change: one }, { label: "two", change: two }], resolveConflict: resolver }),
    );

    expect(resolver).not.toHaveBeenCalled();
    expect(result.merged).toEqual(["one"]);
    expect(result.conflicts[0]).toMatchObject({ label: "two", paths: ["blob.bin"], resolution: "unresolved" });
    expect(result.conflicts[0]!.reason).toContain("binary file blob.bin cannot be resolved as text");
  });

  it("respects the given order: the earlier change wins a conflict", async () => {
    const one = repo.change("one", { "shared.txt": "one\nfrom one\nthree\n" });
    const two = repo.change("two", { "shared.txt": "one\nfrom two\nthree\n" });

    const forward = await mergeChanges(
      options({ changes: [{ label: "one", change: one }, { label: "two", change: two }], targetBranch: "dynflow/fwd" }),
    );
    const backward = await mergeChanges(
      options({ changes: [{ label: "two", change: two }, { label: "one", change: one }], targetBranch: "dynflow/bwd" }),
    );

    expect(forward.merged).toEqual(["one"]);
    expect(forward.conflicts.map((c) => c.label)).toEqual(["two"]);
    expect(repo.show(forward.commit, "shared.txt")).toBe("one\nfrom one\nthree\n");
    expect(backward.merged).toEqual(["two"]);
    expect(backward.conflicts.map((c) => c.label)).toEqual(["one"]);
    expect(repo.show(backward.commit, "shared.txt")).toBe("one\nfrom two\nthree\n");
  });

  it("leaves the repository's checkout, HEAD and index untouched", async () => {
    writeFileSync(join(repo.dir, "a.txt"), "uncommitted edit\n");
    writeFileSync(join(repo.dir, "staged.txt"), "staged\n");
    repo.git(["add", "staged.txt"]);
    const indexBefore = readFileSync(join(repo.dir, ".git", "index"));
    const headBefore = repo.git(["symbolic-ref", "HEAD"]);
    const statusBefore = repo.git(["status", "--porcelain"]);
    const one = repo.change("one", { "a.txt": "ALPHA\n" });
    const two = repo.change("two", { "a.txt": "OTHER\n", "b.txt": "BRAVO\n" });

    await mergeChanges(
      options({
        changes: [{ label: "one", change: one }, { label: "two", change: two }],
        resolveConflict: async () => ({ "a.txt": "resolved\n" }),
      }),
    );

    expect(readFileSync(join(repo.dir, ".git", "index")).equals(indexBefore)).toBe(true);
    expect(repo.git(["symbolic-ref", "HEAD"])).toBe(headBefore);
    expect(repo.git(["rev-parse", "HEAD"]).trim()).toBe(repo.base);
    expect(repo.git(["status", "--porcelain"])).toBe(statusBefore);
    expect(readFileSync(join(repo.dir, "a.txt"), "utf8")).toBe("uncommitted edit\n");
  });

  it("points the branch at the base commit when nothing is merged", async () => {
    const one = repo.change("one", { "shared.txt": "x\n" });
    const two = repo.change("two", { "shared.txt": "y\n" });

    const empty = await mergeChanges(options({ changes: [] }));
    expect(empty).toEqual({ branch: "dynflow/run-1", commit: repo.base, tree: expect.any(String), merged: [], conflicts: [] });
    expect(repo.git(["rev-parse", "refs/heads/dynflow/run-1"]).trim()).toBe(repo.base);

    // A first change whose commit is missing and a conflicted one: still the base, and both reported.
    const missing = { ...one, commit: "0123456789abcdef0123456789abcdef01234567" };
    const result = await mergeChanges(
      options({ changes: [{ label: "lost", change: missing }, { label: "one", change: one }, { label: "two", change: two }] }),
    );
    expect(result.merged).toEqual(["one"]);
    expect(result.conflicts).toEqual([
      {
        label: "lost",
        paths: ["shared.txt"],
        resolution: "unresolved",
        reason: `commit ${missing.commit} (branch ${one.branch}) is not in the repository`,
      },
      expect.objectContaining({ label: "two", resolution: "unresolved" }),
    ]);
  });

  it("is idempotent: the same inputs give the same tree and keep the existing branch", async () => {
    const one = repo.change("one", { "a.txt": "ALPHA\n" });
    const two = repo.change("two", { "b.txt": "BRAVO\n" });
    const changes = [
      { label: "one", change: one },
      { label: "two", change: two },
    ];

    const first = await mergeChanges(options({ changes }));
    const again = await mergeChanges(options({ changes }));
    expect(again).toEqual(first);

    // A later clock would give new commit ids; the branch already holds this result, so it is kept.
    const later = await mergeChanges(options({ changes, clock: { now: () => fixedClock.now() + 86_400_000 } }));
    expect(later).toEqual(first);
    expect(repo.git(["rev-parse", "refs/heads/dynflow/run-1"]).trim()).toBe(first.commit);

    // Fewer changes: a different result, so the branch moves.
    const fewer = await mergeChanges(options({ changes: changes.slice(0, 1) }));
    expect(fewer.tree).not.toBe(first.tree);
    expect(repo.git(["rev-parse", "refs/heads/dynflow/run-1"]).trim()).toBe(fewer.commit);
  });

  it("refuses an invalid branch name and an unknown base commit", async () => {
    await expect(mergeChanges(options({ targetBranch: "bad..name" }))).rejects.toBeInstanceOf(InvalidBranchNameError);
    await expect(mergeChanges(options({ targetBranch: "-x" }))).rejects.toBeInstanceOf(InvalidBranchNameError);
    await expect(mergeChanges(options({ targetBranch: "dynflow/x.lock" }))).rejects.toBeInstanceOf(InvalidBranchNameError);
    await expect(mergeChanges(options({ targetBranch: "dynflow/v1.2_x" }))).resolves.toMatchObject({ branch: "dynflow/v1.2_x" });
    await expect(mergeChanges(options({ baseCommit: "f".repeat(40) }))).rejects.toBeInstanceOf(UnknownCommitError);
    await expect(mergeChanges(options({ baseCommit: "HEAD" }))).rejects.toMatchObject({ code: "unknown_commit" });
  });

  it("does not overwrite a branch another writer moved meanwhile", async () => {
    const one = repo.change("one", { "a.txt": "ALPHA\n" });
    const other = repo.change("other", { "b.txt": "elsewhere\n" });
    // The resolver runs mid-reconcile; use it to move the branch under our feet.
    const two = repo.change("two", { "a.txt": "OTHER\n" });
    const error = await mergeChanges(
      options({
        changes: [{ label: "one", change: one }, { label: "two", change: two }],
        resolveConflict: async () => {
          repo.git(["update-ref", "refs/heads/dynflow/run-1", other.commit]);
          return { "a.txt": "both\n" };
        },
      }),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BranchMovedError);
    expect(error).toMatchObject({ code: "branch_moved", expected: null, actual: other.commit });
    expect(repo.git(["rev-parse", "refs/heads/dynflow/run-1"]).trim()).toBe(other.commit);
  });
});

describe("mergeChanges through the repository opened in process", () => {
  it("merges disjoint changes and points the branch at the result without starting a git process", async () => {
    const opened = await openRepository(repo.dir);
    const logging = await loggingGit();
    try {
      const one = repo.change("one", { "a.txt": "ALPHA\n" });
      const two = repo.change("two", { "b.txt": "BRAVO\n" });

      const result = await mergeChanges({ ...options({ changes: [{ label: "one", change: one }, { label: "two", change: two }] }), repository: opened, env: logging.env });

      expect(result.merged).toEqual(["one", "two"]);
      expect(repo.git(["rev-parse", "refs/heads/dynflow/run-1"]).trim()).toBe(result.commit);
      expect(await logging.calls()).toEqual([]);
    } finally {
      await opened.close();
      await rm(logging.dir, { recursive: true, force: true });
    }
  });
});
