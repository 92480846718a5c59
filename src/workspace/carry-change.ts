/**
 * A worker's change as data: the objects its commit adds to the base (the
 * commit, the trees on the paths it changed, the files it wrote), small
 * enough to travel inside a message between processes instead of through a
 * push and a fetch. The receiving repository writes them in process (loose
 * objects, as commits are written here) and checks that they are the change
 * and all of it: every id is computed from the bytes received, the commit
 * must be the one named, and every tree and file the commit holds beyond the
 * base must have come with it. Only a change made of one commit on the base
 * travels so: anything else (a merge, a chain of commits, trees git would
 * write differently) is left to a push.
 */
import { walkAdded } from "./added-objects.js";
import { CarriedChangeError } from "./errors.js";
import type { GitStore } from "./git-store.js";
import { commitParents } from "./merge-disjoint.js";
import { parseTreeObject } from "./write-tree.js";

/** One object of a carried change: its type and its raw content (what `git cat-file <type>` prints), in base64. */
export interface CarriedObject {
  type: "commit" | "tree" | "blob";
  data: string;
}

/** The objects of the commit `commit` that its base lacks. */
export interface CarriedChange {
  commit: string;
  objects: CarriedObject[];
}

/**
 * The objects `commit` adds to `base`, or null when the change cannot travel
 * as data: its parent is not `base` alone, it holds more than `maxBytes`, or
 * an object of it would not come out with the same id on the other side.
 */
export async function carryChange(store: GitStore, commit: string, base: string, maxBytes: number): Promise<CarriedChange | null> {
  const raw = await store.readObject(commit);
  const parents = commitParents(raw);
  if (parents.length !== 1 || parents[0] !== base) return null;
  // The commit is written on the other side from its text: it must read back as the same bytes.
  if (!Buffer.from(raw.toString("utf8"), "utf8").equals(raw)) return null;
  const objects: CarriedObject[] = [{ type: "commit", data: raw.toString("base64") }];
  let bytes = raw.length;
  let fits = true;
  const [tree, baseTree] = await Promise.all([store.treeOf(commit), store.treeOf(base)]);
  await walkAdded(store, tree, [baseTree], async (type, oid) => {
    if (!fits) return false;
    const content = await store.readObject(oid);
    bytes += content.length;
    if (bytes > maxBytes || (type === "tree" && store.treeId(parseTreeObject(content, store.hashBytes)) !== oid)) {
      fits = false;
      return false;
    }
    objects.push({ type, data: content.toString("base64") });
    return true;
  });
  return fits ? { commit, objects } : null;
}

/**
 * Writes a carried change into the repository (its branch is not moved) and
 * checks it against its commit and `base`; throws `CarriedChangeError` when
 * it is not that change, whole.
 */
export async function receiveCarriedChange(store: GitStore, carried: CarriedChange, base: string): Promise<void> {
  const written = new Set<string>();
  let commit: { id: string; content: Buffer } | null = null;
  for (const object of carried.objects) {
    const content = Buffer.from(object.data, "base64");
    if (object.type === "blob") written.add(await store.writeBlob(content));
    // Parsed and written again: an id that comes out different means the bytes were not a tree as git writes one.
    else if (object.type === "tree") written.add(await store.makeTree(parseTreeObject(content, store.hashBytes)));
    else if (object.type === "commit" && commit === null) commit = { id: await store.writeCommit(content.toString("utf8")), content };
    else throw new CarriedChangeError(carried.commit, `an object of type "${String(object.type)}" came with it`);
  }
  if (commit?.id !== carried.commit) throw new CarriedChangeError(carried.commit, commit === null ? "its commit did not come with it" : `its commit is ${commit.id}`);
  const parents = commitParents(commit.content);
  if (parents.length !== 1 || parents[0] !== base) throw new CarriedChangeError(carried.commit, `it is not one commit on ${base}`);
  const [tree, baseTree] = await Promise.all([store.treeOf(carried.commit), store.treeOf(base)]);
  // Nothing outside what came is read (the root tree first): in a partial clone, a missing object would be asked
  // of the remote, which never had it.
  await walkAdded(store, tree, [baseTree], async (type, oid) => {
    if (!written.has(oid)) throw new CarriedChangeError(carried.commit, `its ${type} ${oid} did not come with it`);
    return true;
  });
}
