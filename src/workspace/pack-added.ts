/**
 * The pack a push sends, built in process for the commits dynflow makes: an
 * agent's change, a run's result and its merges, each written by this
 * process, on commits the remote has. It holds each commit and what it adds
 * to its parents (added-objects.ts), whole and deflated, without deltas: the
 * pack of a change or of a result is a few small objects, and starting `git
 * pack-objects` for it (a fork of this large process, then git's own start)
 * cost more than the rest of the push. Anything else is left to `git
 * pack-objects` (`packAdded` resolves null): a commit this process did not
 * write (one of the remote's history, when the remote no longer advertises
 * the run's base: git finds what the remote has by walking that history),
 * a root commit, more than `MAX_COMMITS` commits, a large change, a SHA-256
 * repository.
 *
 * The pack is not thin (no object refers to one outside it), as
 * push-over-http.ts sends. An object the remote has already may come with it
 * (a file a commit restores to an earlier content, say); the remote keeps one.
 */
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { walkAdded } from "./added-objects.js";
import type { GitStore } from "./git-store.js";
import { commitParents } from "./merge-disjoint.js";

/** Commits of one pack, at most (a run of many modules merges each: two per module); more go to git, which makes deltas between versions of a file. */
const MAX_COMMITS = 256;
/** Bytes of all objects of one pack before compression, at most: more is deflated in git's process, not on this one's event loop. */
const MAX_BYTES = 4 * 1024 * 1024;
/** A commit's first line, as git writes it: its tree. */
const TREE_LINE = /^tree ([0-9a-f]{40})\n/;

const TYPE_CODES = { commit: 1, tree: 2, blob: 3 } as const;

type ObjectType = keyof typeof TYPE_CODES;

/** What building a pack reads of a repository. */
export type PackStore = Pick<GitStore, "readObject" | "readTree" | "treeOf" | "hashBytes" | "wroteCommit">;

/**
 * A pack of every object reachable from `wanted` and not from `have` (commits
 * the remote has), or null when git has to make it (see above).
 */
export async function packAdded(store: PackStore, wanted: readonly string[], have: readonly string[]): Promise<Buffer | null> {
  if (store.hashBytes !== 20) return null;
  const remoteHas = new Set(have);
  const commits: { raw: Buffer; tree: string; parents: string[] }[] = [];
  const seen = new Set<string>();
  const pending = [...wanted];
  while (pending.length > 0) {
    const id = pending.pop() as string;
    if (remoteHas.has(id) || seen.has(id)) continue;
    seen.add(id);
    if (seen.size > MAX_COMMITS || !store.wroteCommit(id)) return null;
    const raw = await store.readObject(id);
    const tree = TREE_LINE.exec(raw.toString("latin1", 0, Math.min(raw.length, 46)))?.[1];
    const parents = commitParents(raw);
    if (tree === undefined || parents.length === 0) return null;
    commits.push({ raw, tree, parents });
    pending.push(...parents);
  }

  const objects: { type: ObjectType; content: Buffer }[] = [];
  const added = new Set<string>();
  let bytes = 0;
  const add = (type: ObjectType, content: Buffer): boolean => {
    bytes += content.length;
    objects.push({ type, content });
    return bytes <= MAX_BYTES;
  };
  for (const commit of commits) {
    if (!add("commit", commit.raw)) return null;
    let fits = true;
    const parentTrees = await Promise.all(commit.parents.map((parent) => store.treeOf(parent)));
    await walkAdded(store, commit.tree, parentTrees, async (type, oid) => {
      // A tree met before was walked then, against a parent whose content the remote has or the pack holds.
      if (!fits || added.has(oid)) return false;
      added.add(oid);
      fits = add(type, await store.readObject(oid));
      return fits;
    });
    if (!fits) return null;
  }
  return encodePack(objects);
}

/** Git's pack format, version 2: a header, each object (its type and size, then its content deflated), the SHA-1 of all that. */
function encodePack(objects: readonly { type: ObjectType; content: Buffer }[]): Buffer {
  const header = Buffer.alloc(12);
  header.write("PACK", 0, "latin1");
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.length, 8);
  const parts: Buffer[] = [header];
  for (const { type, content } of objects) parts.push(entryHeader(type, content.length), deflateSync(content));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash("sha1").update(body).digest()]);
}

/** An entry's first bytes: the type in bits 4–6 of the first, the size in the rest, 4 bits then 7 per byte, low bits first. */
function entryHeader(type: ObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (TYPE_CODES[type] << 4) | (size % 16);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest % 128;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}
