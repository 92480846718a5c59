/**
 * The objects a commit adds to its parents: the trees on the paths it changed
 * and the files it wrote. Whatever a parent holds at the same path is
 * reachable from that parent, so it is not visited, and a tree whose id a
 * parent holds at its path is not opened. Objects the change does not touch
 * are never read: in a partial clone, reading one would fetch it.
 */
import type { GitStore } from "./git-store.js";
import { MODE_GITLINK, MODE_TREE } from "./tree-listing.js";

/**
 * Visits every tree and blob reachable from `tree` that no tree of
 * `baseTrees` (a commit's parents' trees) holds at the same path, trees
 * before what they hold (submodules are skipped: a commit id there is not an
 * object of this repository). `visit` returns false to leave a tree's entries
 * unvisited.
 */
export async function walkAdded(
  store: Pick<GitStore, "readTree">,
  tree: string,
  baseTrees: readonly string[],
  visit: (type: "tree" | "blob", oid: string) => Promise<boolean>,
): Promise<void> {
  if (baseTrees.includes(tree) || !(await visit("tree", tree))) return;
  const [entries = [], ...bases] = await Promise.all([tree, ...baseTrees].map((oid) => store.readTree(oid)));
  const before = bases.map((base) => new Map(base.map((entry) => [entry.name, entry])));
  for (const entry of entries) {
    if (entry.mode === MODE_GITLINK) continue;
    const olds = before.flatMap((names) => names.get(entry.name) ?? []);
    if (olds.some((old) => old.oid === entry.oid && old.mode === entry.mode)) continue;
    if (entry.mode === MODE_TREE) {
      await walkAdded(
        store,
        entry.oid,
        olds.flatMap((old) => (old.mode === MODE_TREE ? [old.oid] : [])),
        visit,
      );
    } else if (!olds.some((old) => old.oid === entry.oid)) await visit("blob", entry.oid);
  }
}
