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
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { deflate, deflateSync, constants } from "node:zlib";

/** Objects up to this size are deflated on the calling thread (microseconds); larger ones on the thread pool. */
const DEFLATE_INLINE_BYTES = 128 * 1024;
const deflateAsync = promisify(deflate);
/** Deflated objects up to this size are written with synchronous calls; larger ones through the thread pool. */
const WRITE_INLINE_BYTES = 64 * 1024;
/** Git's default for loose objects (`core.looseCompression`): fastest. */
const LOOSE_COMPRESSION = { level: constants.Z_BEST_SPEED };

export type LooseObjectType = "blob" | "tree";

/** The id git gives an object of `type` with `content` (SHA-1, or SHA-256 for 32-byte ids). */
export function objectId(type: string, content: Buffer, hashBytes: number): string {
  return createHash(hashBytes === 32 ? "sha256" : "sha1")
    .update(`${type} ${content.length}\0`)
    .update(content)
    .digest("hex");
}

/** Loose-object writes into one object directory. */
export class LooseObjectWriter {
  /** Fan-out directories known to exist (or being made). */
  private readonly dirs = new Map<string, Promise<unknown>>();
  /** Ids this writer has stored: written once per process. */
  private readonly stored = new Map<string, Promise<void>>();
  private counter = 0;

  constructor(
    /** The repository's object directory (`git rev-parse --git-path objects`). */
    private readonly objectsDir: string,
    private readonly hashBytes: number,
  ) {}

  /** Stores `content` as an object of `type` and returns its id. */
  async write(type: LooseObjectType, content: Buffer): Promise<string> {
    const oid = objectId(type, content, this.hashBytes);
    let stored = this.stored.get(oid);
    if (stored === undefined) {
      stored = this.store(oid, type, content);
      stored.catch(() => this.stored.delete(oid));
      this.stored.set(oid, stored);
    }
    await stored;
    return oid;
  }

  private async store(oid: string, type: LooseObjectType, content: Buffer): Promise<void> {
    const raw = Buffer.concat([Buffer.from(`${type} ${content.length}\0`, "utf8"), content]);
    const deflated = raw.length <= DEFLATE_INLINE_BYTES ? deflateSync(raw, LOOSE_COMPRESSION) : await deflateAsync(raw, LOOSE_COMPRESSION);
    const dir = join(this.objectsDir, oid.slice(0, 2));
    let made = this.dirs.get(dir);
    if (made === undefined) {
      made = deflated.length <= WRITE_INLINE_BYTES ? Promise.resolve(mkdirSync(dir, { recursive: true })) : mkdir(dir, { recursive: true });
      made.catch(() => this.dirs.delete(dir));
      this.dirs.set(dir, made);
    }
    await made;
    const temporary = join(dir, `tmp_obj_dynflow_${process.pid}_${this.counter++}`);
    const target = join(dir, oid.slice(2));
    if (deflated.length <= WRITE_INLINE_BYTES) {
      // A small file goes to the page cache in microseconds: four trips through the thread pool would cost more.
      try {
        writeFileSync(temporary, deflated, { mode: 0o444 });
        renameSync(temporary, target);
      } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
      }
      return;
    }
    await writeFile(temporary, deflated, { mode: 0o444 });
    try {
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }
}
