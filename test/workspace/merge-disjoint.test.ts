import { execFileSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openRepository, type GitRepository } from "../../src/workspace/index.js";
import { diffTrees } from "../../src/workspace/merge-disjoint.js";
import { parseTreeObject, type TreeStore } from "../../src/workspace/write-tree.js";
import { createFixtureRepo, type FixtureRepo } from "../reconcile/git-fixture.js";

let repo: FixtureRepo;
let repository: GitRepository;

beforeEach(async () => {
  repo = createFixtureRepo({ "a.txt": "alpha\n", "b.txt": "bravo\n", "lib.js": "x\n" });
  repository = await openRepository(repo.dir);
});

afterEach(async () => {
  await repository.close();
  repo.dispose();
});

/** The tree `git merge-tree --write-tree` writes for a clean merge. */
function gitMergeTree(ours: string, theirs: string): string {
  return repo.git(["merge-tree", "--write-tree", ours, theirs]).trim();
}

/** A merge commit of `theirs` into `ours`, as reconciliation makes it. */
function mergeCommit(tree: string, ours: string, theirs: string): string {
  return repo.git(["commit-tree", tree, "-p", ours, "-p", theirs, "-m", "merge"]).trim();
}

describe("GitRepository.mergeDisjoint", () => {
  it("writes the tree git's merge writes when the sides change different files, nested and new directories included", async () => {
    const one = repo.change("one", { "a.txt": "ALPHA\n", "src/deep/one.js": "1\n", "src/top.js": "t\n" });
    const two = repo.change("two", { "b.txt": "BRAVO\n", "src/deep/two.js": "2\n", "src/other/x.js": "x\n", "docs/readme.md": "r\n" });
    const three = repo.change("three", { "lib.js": "changed\n", "src/deep/three.js": "3\n" });

    const first = await repository.mergeDisjoint(repo.base, repo.base, one.commit);
    expect(first).toBe(gitMergeTree(repo.base, one.commit));
    const head1 = mergeCommit(first!, repo.base, one.commit);
    const second = await repository.mergeDisjoint(repo.base, head1, two.commit);
    expect(second).toBe(gitMergeTree(head1, two.commit));
    const head2 = mergeCommit(second!, head1, two.commit);
    const third = await repository.mergeDisjoint(repo.base, head2, three.commit);
    expect(third).toBe(gitMergeTree(head2, three.commit));
    const head3 = mergeCommit(third!, head2, three.commit);
    // What a merged result already holds counts as ours for the next change, whichever merge brought it.
    const again = repo.change("again", { "b.txt": "changed again\n" });
    const under = repo.change("under", { "src/top.js/inside.js": "x\n" });
    const beside = repo.change("beside", { "src/deep/four.js": "4\n" });
    expect(await repository.mergeDisjoint(repo.base, head3, again.commit)).toBeNull();
    expect(await repository.mergeDisjoint(repo.base, head3, under.commit)).toBeNull();
    expect(await repository.mergeDisjoint(repo.base, head3, beside.commit)).toBe(gitMergeTree(head3, beside.commit));
  });

  it("leaves to git a path both sides change, a file that is a directory on the other side, and any deletion", async () => {
    const one = repo.change("one", { "a.txt": "ALPHA\n", "new": "a file\n" });
    const head = mergeCommit(gitMergeTree(repo.base, one.commit), repo.base, one.commit);
    const same = repo.change("same", { "a.txt": "ALPHA\n" });
    const directory = repo.change("directory", { "new/inside.txt": "x\n" });
    const deletes = repo.change("deletes", { "b.txt": null });
    expect(await repository.mergeDisjoint(repo.base, head, same.commit)).toBeNull();
    expect(await repository.mergeDisjoint(repo.base, head, directory.commit)).toBeNull();
    expect(await repository.mergeDisjoint(repo.base, head, deletes.commit)).toBeNull();

    const oursDeletes = repo.change("ours-deletes", { "b.txt": null });
    const theirs = repo.change("theirs", { "a.txt": "ALPHA\n" });
    expect(await repository.mergeDisjoint(repo.base, oursDeletes.commit, theirs.commit)).toBeNull();
  });

  it("leaves to git a change that is not a child of the base (the merge base could be another commit)", async () => {
    const one = repo.change("one", { "a.txt": "ALPHA\n" });
    const later = repo.change("later", { "b.txt": "BRAVO\n" }, one.commit);
    expect(await repository.mergeDisjoint(repo.base, repo.base, later.commit)).toBeNull();
  });
});

describe("diffTrees", () => {
  it("lists what diff-tree -r --no-renames lists: changes, additions, deletions, a file that became a directory and back", async () => {
    const one = repo.change("one", { "a.txt": "ALPHA\n", "b.txt": null, "dir/x/y.txt": "y\n", "dir/z.txt": "z\n" });
    const two = repo.change("two", { "a.txt/inner.txt": "now a directory\n", "dir/x/y.txt": null, "dir/x": "now a file\n" }, one.commit);
    const store: TreeStore = {
      readTree: async (oid) => parseTreeObject(execFileSync("git", ["cat-file", "tree", oid], { cwd: repo.dir }), 20),
      makeTree: () => Promise.reject(new Error("not used")),
    };
    const tree = (commit: string) => repo.git(["rev-parse", `${commit}^{tree}`]).trim();
    for (const [from, to] of [[repo.base, one.commit], [one.commit, two.commit], [two.commit, repo.base]] as const) {
      const expected = repo
        .git(["diff-tree", "-r", "--no-renames", from, to])
        .trim()
        .split("\n")
        .map((line) => {
          const [meta, path] = line.split("\t");
          const [, mode, , oid, status] = meta!.split(" ");
          return { path, entry: status === "D" ? null : { mode, oid } };
        });
      const changes = await diffTrees(store, tree(from), tree(to));
      const byPath = (a: { path?: string }, b: { path?: string }) => (a.path! < b.path! ? -1 : a.path! > b.path! ? 1 : 0);
      expect(changes.sort(byPath)).toEqual(expected.sort(byPath));
    }
  });
});
