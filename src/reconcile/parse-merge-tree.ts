/**
 * Parser of `git merge-tree --write-tree -z` output (git ≥ 2.38). Pure, so the
 * format handling is tested without running git.
 */

/** One higher-order stage of a conflicted path (1 = merge base, 2 = ours, 3 = theirs). */
export interface ConflictStage {
  mode: string;
  oid: string;
  stage: 1 | 2 | 3;
  path: string;
}

/** One informational record git printed, e.g. type `CONFLICT (content)`. */
export interface MergeMessage {
  paths: string[];
  type: string;
  message: string;
}

/** What one merge-tree call produced. */
export interface MergeTreeResult {
  clean: boolean;
  /** The merged tree; when not clean, conflicted files in it carry conflict markers. */
  tree: string;
  stages: ConflictStage[];
  messages: MergeMessage[];
}

/**
 * Parses the output of `git merge-tree --write-tree -z --messages`. `clean`
 * comes from the exit status, never from the stage list: git documents
 * conflicts that list no file.
 */
export function parseMergeTree(output: string, clean: boolean): MergeTreeResult {
  const fields = output.split("\0");
  const tree = fields[0]?.trim() ?? "";
  if (!/^[0-9a-f]{40,64}$/.test(tree)) throw new SyntaxError(`merge-tree printed no tree id: ${JSON.stringify(output.slice(0, 80))}`);
  const stages: ConflictStage[] = [];
  let i = 1;
  // Stage lines: "<mode> <oid> <stage>\t<path>", then an empty field opens the messages.
  for (; i < fields.length && fields[i] !== ""; i++) {
    const match = /^(\d{6}) ([0-9a-f]{40,64}) ([123])\t([\s\S]+)$/.exec(fields[i] ?? "");
    if (match === null) throw new SyntaxError(`unexpected merge-tree stage line: ${JSON.stringify(fields[i])}`);
    stages.push({ mode: match[1]!, oid: match[2]!, stage: Number(match[3]) as 1 | 2 | 3, path: match[4]! });
  }
  i++;
  const messages: MergeMessage[] = [];
  // Records: "<n>\0<path1>\0…<pathN>\0<type>\0<message>\0"; the final field is the empty tail.
  while (i < fields.length - 1) {
    const count = Number(fields[i]);
    if (!Number.isInteger(count) || count < 0) break;
    const paths = fields.slice(i + 1, i + 1 + count);
    const type = fields[i + 1 + count] ?? "";
    const message = (fields[i + 2 + count] ?? "").trimEnd();
    messages.push({ paths, type, message });
    i += count + 3;
  }
  return { clean, tree, stages, messages };
}

/** Conflicted paths in first-seen order, each once. */
export function conflictedPaths(result: MergeTreeResult): string[] {
  return [...new Set(result.stages.map((s) => s.path))];
}

/** The distinct `CONFLICT (…)` types git reported, e.g. `CONFLICT (modify/delete)`. */
export function conflictTypes(result: MergeTreeResult): string[] {
  return [...new Set(result.messages.map((m) => m.type).filter((t) => t.startsWith("CONFLICT")))];
}
