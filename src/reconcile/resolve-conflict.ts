/**
 * Resolves one conflicted merge with a resolver: gathers the three versions of
 * each conflicted file, asks the resolver, and writes the merged tree with the
 * resolved blobs through a private index (never the repository's own).
 */
import type { Logger } from "pino";
import { GitCommandError } from "./errors.js";
import { conflictedPaths, conflictTypes, type MergeTreeResult } from "./parse-merge-tree.js";
import { readObjects } from "./read-objects.js";
import { firstLine, type Git } from "./run-git.js";
import type { ChangeRef } from "../runtime/types.js";
import type { ConflictFile, ConflictResolution, ConflictResolver } from "./types.js";
import { messageOf } from "../errors.js";

/** The resolved tree, or why the change cannot be merged. */
export type ResolveOutcome = { ok: true; tree: string } | { ok: false; reason: string };

export interface ResolveConflictOptions {
  git: Git;
  /** Path of a scratch index file this call may overwrite. */
  indexFile: string;
  label: string;
  change: ChangeRef;
  attempt: MergeTreeResult;
  resolver: ConflictResolver | undefined;
  log: Logger;
}

const SUBMODULE_MODE = "160000";

/** Tries to resolve `attempt`; never throws for a resolver's failure, only for git's. */
export async function resolveConflict(options: ResolveConflictOptions): Promise<ResolveOutcome> {
  const { attempt, resolver, label } = options;
  const paths = conflictedPaths(attempt);
  const types = conflictTypes(attempt);
  const because = (why: string): ResolveOutcome => ({
    ok: false,
    reason: types.length > 0 ? `${why} (${types.join(", ")})` : why,
  });

  if (paths.length === 0) return because("git reported a conflict that names no file");
  if (resolver === undefined) return because("no conflict resolver was given");
  const submodule = attempt.stages.find((s) => s.mode === SUBMODULE_MODE);
  if (submodule !== undefined) return because(`submodule ${submodule.path} cannot be resolved as text`);

  const files = await readConflictFiles(options.git, attempt, paths);
  const binary = files.find((f) => [f.base, f.ours, f.theirs].some((c) => c !== null && c.includes("\0")));
  if (binary !== undefined) return because(`binary file ${binary.path} cannot be resolved as text`);

  let resolution: ConflictResolution | null;
  try {
    resolution = await resolver({ label, change: options.change, files, types });
  } catch (error) {
    options.log.warn({ label, err: error }, "conflict resolver failed");
    return because(`the conflict resolver failed: ${messageOf(error)}`);
  }
  // Resolvers are often agents: anything but an object of contents is giving up.
  if (resolution === null || typeof resolution !== "object") return because("the conflict resolver gave up");
  const left = paths.filter((p) => !Object.hasOwn(resolution, p) || !isContent(resolution[p]));
  if (left.length > 0) return because(`the conflict resolver left ${left.join(", ")} unresolved`);

  try {
    return { ok: true, tree: await writeResolvedTree(options, paths, resolution) };
  } catch (error) {
    // A resolution git cannot apply (e.g. a file where the tree has a directory) leaves the change unmerged.
    if (!(error instanceof GitCommandError)) throw error;
    return because(`the resolution could not be written: ${error.stderr.trim()}`);
  }
}

function isContent(value: unknown): value is string | null {
  return value === null || typeof value === "string";
}

async function readConflictFiles(git: Git, attempt: MergeTreeResult, paths: string[]): Promise<ConflictFile[]> {
  const specs: string[] = [];
  const slots = paths.map((path) => {
    const stageOid = (stage: 1 | 2 | 3) => attempt.stages.find((s) => s.path === path && s.stage === stage)?.oid;
    const slot = { path, base: -1, ours: -1, theirs: -1, marked: -1 };
    const add = (spec: string | undefined) => (spec === undefined ? -1 : specs.push(spec) - 1);
    slot.base = add(stageOid(1));
    slot.ours = add(stageOid(2));
    slot.theirs = add(stageOid(3));
    // The batch protocol is line-based; a path with a newline gets no marked version.
    slot.marked = add(path.includes("\n") ? undefined : `${attempt.tree}:${path}`);
    return slot;
  });
  const contents = await readObjects(git, specs);
  const text = (index: number) => (index < 0 ? null : (contents[index]?.toString("utf8") ?? null));
  return slots.map((s) => ({
    path: s.path,
    base: text(s.base),
    ours: text(s.ours),
    theirs: text(s.theirs),
    marked: text(s.marked),
  }));
}

async function writeResolvedTree(
  options: ResolveConflictOptions,
  paths: string[],
  resolution: ConflictResolution,
): Promise<string> {
  const { git, attempt } = options;
  const env = { GIT_INDEX_FILE: options.indexFile };
  await git(["read-tree", attempt.tree], { env });
  const lines: string[] = [];
  for (const path of paths) {
    const content = resolution[path] ?? null;
    if (content === null) {
      lines.push(`0 ${"0".repeat(attempt.tree.length)}\t${path}`);
      continue;
    }
    const oid = firstLine(await git(["hash-object", "-w", "--stdin"], { input: Buffer.from(content, "utf8") }));
    // Keep the file's mode (executable bit, symlink) from our side, else theirs.
    const mode =
      [2, 3, 1].map((stage) => attempt.stages.find((s) => s.path === path && s.stage === stage)?.mode).find(Boolean) ??
      "100644";
    lines.push(`${mode} ${oid}\t${path}`);
  }
  await git(["update-index", "-z", "--index-info"], { env, input: lines.map((l) => `${l}\0`).join("") });
  return firstLine(await git(["write-tree"], { env }));
}
