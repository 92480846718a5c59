/**
 * A repository's refs read from its files (`packed-refs` and the loose files
 * under `refs/`), without a git process. Null when the repository keeps them
 * otherwise (a reftable), so the caller asks git instead. Read synchronously:
 * they are small files, and a promise per file cost more CPU than the reads.
 */
import { existsSync, readdirSync, readFileSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { FULL_OID } from "./object-id.js";

/** Symbolic refs followed at most this deep, as git does (`SYMREF_MAXDEPTH`). */
const MAX_DEPTH = 5;

/** Every ref of the repository at `gitDir` (full name → id), symbolic refs resolved, or null when they are not stored as files. */
export function readRefs(gitDir: string): Map<string, string> | null {
  if (existsSync(join(gitDir, "reftable"))) return null;
  const direct = new Map<string, string>();
  for (const line of readText(join(gitDir, "packed-refs")).split("\n")) {
    // A header, or the peeled id of the tag above.
    if (line === "" || line.startsWith("#") || line.startsWith("^")) continue;
    const space = line.indexOf(" ");
    const id = line.slice(0, space);
    if (space > 0 && FULL_OID.test(id)) direct.set(line.slice(space + 1), id);
  }
  const symbolic = new Map<string, string>();
  readLoose(gitDir, "refs", direct, symbolic);
  for (const [name, target] of symbolic) {
    let next: string | undefined = target;
    for (let depth = 0; next !== undefined && depth < MAX_DEPTH && !direct.has(next); depth++) next = symbolic.get(next);
    const id = next === undefined ? undefined : direct.get(next);
    if (id !== undefined) direct.set(name, id);
  }
  return direct;
}

/** Loose refs under `dir` (relative to `gitDir`); a loose ref overrides its packed value. */
function readLoose(gitDir: string, dir: string, direct: Map<string, string>, symbolic: Map<string, string>): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(join(gitDir, dir), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return;
    throw error;
  }
  for (const entry of entries) {
    const name = `${dir}/${entry.name}`;
    if (entry.isDirectory()) readLoose(gitDir, name, direct, symbolic);
    // A ref being written (`.lock`) is not one yet.
    if (!entry.isFile() || entry.name.endsWith(".lock")) continue;
    const text = readText(join(gitDir, name)).trim();
    if (FULL_OID.test(text)) {
      direct.set(name, text);
      symbolic.delete(name);
    } else if (text.startsWith("ref: ")) {
      direct.delete(name);
      symbolic.set(name, text.slice(5).trim());
    }
  }
}

/** A file's text, or "" when it is gone (a ref deleted meanwhile). */
function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}
