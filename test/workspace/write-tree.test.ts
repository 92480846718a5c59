import { describe, expect, it } from "vitest";
import { readTreesOnPath, writeTree, type TreeObjectEntry, type TreeStore } from "../../src/workspace/write-tree.js";

/** A store that names a tree by its entries, holds every write until released, and can be told to write another id. */
function heldStore(wrongId = false) {
  const requested: string[] = [];
  const releases: (() => void)[] = [];
  const idOf = (entries: readonly TreeObjectEntry[]) => entries.map((e) => `${e.name}:${e.oid}`).join(",");
  const store: TreeStore = {
    readTree: async () => [],
    treeId: idOf,
    makeTree: (entries) => {
      requested.push(idOf(entries));
      return new Promise((resolve) => releases.push(() => resolve(wrongId ? "other" : idOf(entries))));
    },
  };
  return { store, requested, releaseAll: () => releases.splice(0).forEach((release) => release()) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("writeTree with tree ids known in advance", () => {
  it("asks for every directory's write at once and returns once all are written", async () => {
    const { store, requested, releaseAll } = heldStore();
    let done = false;
    const tree = writeTree(store, "base", new Map([["a/b/c.txt", { oid: "c1", mode: "100644" }]])).then((id) => ((done = true), id));
    await flush();
    expect(requested).toEqual(["c.txt:c1", "b:c.txt:c1", "a:b:c.txt:c1"]);
    expect(done).toBe(false);
    releaseAll();
    expect(await tree).toBe("a:b:c.txt:c1");
  });

  it("builds the tree again, one level at a time as git says, when git writes a tree under another id", async () => {
    const { store, requested, releaseAll } = heldStore(true);
    const tree = writeTree(store, "base", new Map([["a/c.txt", { oid: "c1", mode: "100644" }]]));
    for (let i = 0; i < 4; i++) {
      await flush();
      releaseAll();
    }
    expect(await tree).toBe("other");
    // Both levels at once, then the directory first and the root with the id git gave it.
    expect(requested).toEqual(["c.txt:c1", "a:c.txt:c1", "c.txt:c1", "a:other"]);
  });
});

describe("readTreesOnPath", () => {
  /** root → a → b, with a file beside; records the trees read. */
  function nestedStore() {
    const trees: Record<string, TreeObjectEntry[]> = {
      root: [
        { name: "a", mode: "40000", oid: "tree-a" },
        { name: "f.txt", mode: "100644", oid: "blob-f" },
      ],
      "tree-a": [{ name: "b", mode: "40000", oid: "tree-b" }],
      "tree-b": [],
    };
    const read: string[] = [];
    const store: TreeStore = {
      readTree: async (oid) => (read.push(oid), trees[oid] ?? []),
      makeTree: async () => "unused",
    };
    return { store, read };
  }

  it("reads every tree from the root down to the directory, as writing a file there will", async () => {
    const { store, read } = nestedStore();
    await readTreesOnPath(store, "root", "a/b");
    expect(read).toEqual(["root", "tree-a", "tree-b"]);
  });

  it("stops where the directory does not exist in the base, or is a file there", async () => {
    const { store, read } = nestedStore();
    await readTreesOnPath(store, "root", "a/new/deeper");
    await readTreesOnPath(store, "root", "f.txt/x");
    await readTreesOnPath(store, "root", "");
    expect(read).toEqual(["root", "tree-a", "root", "root"]);
  });
});
