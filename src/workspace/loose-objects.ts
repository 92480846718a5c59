/**
 * Writes git objects (blobs and trees) as loose objects without a git
 * process: the id is computed here, the object deflated as git does
 * (`<type> <size>\0<content>`, zlib) and stored under
 * `objects/<first two hex digits>/<the rest>`. Each object goes to a
 * temporary file first and is renamed into place, so a reader never sees half
 * an object and a crash leaves only a `tmp_obj_*` file, which `git gc`
 * removes. An object already in the repository (loose or packed) is simply
 * written again: same id, same content, nothing changes. Small objects (the
 * usual source file or directory) are deflated and written with synchronous
 * calls, which take microseconds where trips through the thread pool would
 * queue behind everything else the process does.
 */
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { mkdir, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { deflate, deflateSync, constants } from "node:zlib";

/** Objects up to this size are deflated and written with synchronous calls; larger ones on the thread pool. */
const INLINE_BYTES = 64 * 1024;
const deflateAsync = promisify(deflate);
/**
 * How long an object this writer stored counts as fresh: writing it again
 * within that time neither writes nor freshens it (a pruning git keeps
 * unreachable objects for two weeks by default).
 */
const FRESH_MS = 60 * 60 * 1000;
/** How many stored objects are remembered: a run's commits, trees and the blobs its agents write. */
const STORED_KEPT = 16_384;
/** Git's default for loose objects (`core.looseCompression`): fastest. */
const LOOSE_COMPRESSION = { level: constants.Z_BEST_SPEED };

export type LooseObjectType = "blob" | "tree" | "commit";

/** The id git gives an object of `type` with `content` (SHA-1, or SHA-256 for 32-byte ids). */
export function objectId(type: string, content: Buffer, hashBytes: number): string {
  return createHash(hashBytes === 32 ? "sha256" : "sha1")
    .update(`${type} ${content.length}\0`)
    .update(content)
    .digest("hex");
}

/** Loose-object writes into one object directory. */
export class LooseObjectWriter {
  /** Fan-out directories known to exist. */
  private readonly dirs = new Set<string>();
  /** Writes in flight by id: one object asked for by several callers at once is written once. */
  private readonly writing = new Map<string, Promise<void>>();
  /** Objects this writer stored (wrote or freshened), by id, and when: stored again within `FRESH_MS`, they are left as they are. */
  private readonly stored = new Map<string, number>();
  private counter = 0;

  constructor(
    /** The repository's object directory (`git rev-parse --git-path objects`). */
    private readonly objectsDir: string,
    private readonly hashBytes: number,
  ) {}

  /** Stores `content` as an object of `type` and returns its id (`oid` when the caller computed it already). */
  async write(type: LooseObjectType, content: Buffer, oid = objectId(type, content, this.hashBytes)): Promise<string> {
    const now = Date.now();
    const storedAt = this.stored.get(oid);
    if (storedAt !== undefined && now - storedAt < FRESH_MS) return oid;
    let written = this.writing.get(oid);
    if (written === undefined) {
      written = this.store(oid, type, content).finally(() => this.writing.delete(oid));
      this.writing.set(oid, written);
    }
    await written;
    this.stored.delete(oid);
    this.stored.set(oid, now);
    if (this.stored.size > STORED_KEPT) this.stored.delete(this.stored.keys().next().value as string);
    return oid;
  }

  private async store(oid: string, type: LooseObjectType, content: Buffer): Promise<void> {
    const raw = Buffer.concat([Buffer.from(`${type} ${content.length}\0`, "utf8"), content]);
    const dir = join(this.objectsDir, oid.slice(0, 2));
    const temporary = join(dir, `tmp_obj_dynflow_${process.pid}_${this.counter++}`);
    const target = join(dir, oid.slice(2));
    if (freshen(target)) return;
    if (raw.length <= INLINE_BYTES) {
      // A small object is deflated and reaches the page cache in microseconds: trips through the thread pool would cost more.
      const deflated = deflateSync(raw, LOOSE_COMPRESSION);
      if (!this.dirs.has(dir)) mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
      try {
        writeFileSync(temporary, deflated, { mode: 0o444 });
        renameSync(temporary, target);
      } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
      }
      return;
    }
    const deflated = await deflateAsync(raw, LOOSE_COMPRESSION);
    await mkdir(dir, { recursive: true });
    this.dirs.add(dir);
    await writeFile(temporary, deflated, { mode: 0o444 });
    try {
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }
}

/**
 * Marks an object that is already stored loose as just written, as git does
 * (a pruning git keeps recent objects), and says whether it was there. Writing
 * it again would rename a new file over it, which makes the filesystem flush
 * the new file's data before the rename (ext4 does), on this thread.
 */
function freshen(path: string): boolean {
  try {
    const now = new Date();
    utimesSync(path, now, now);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Present but not ours to touch: it is stored all the same.
    return code !== "ENOENT" && code !== "ENOTDIR";
  }
}
