/**
 * Pure path rules of a workspace: normalisation (absolute, `..`, `.git`) and
 * the write policy (protected paths, write scopes). Checks that need the
 * tree (symlinks, file/directory clashes) live in the workspace itself.
 */
import { compileGlob } from "../patterns/index.js";
import { WorkspacePathError } from "./errors.js";

/** Paths no agent may write unless configured otherwise. */
export const DEFAULT_PROTECTED_PATHS: readonly string[] = Object.freeze([".github/workflows/**"]);

/** Deepest path accepted: deeper ones are a tool error, not a commit that fails later. */
export const MAX_PATH_DEPTH = 100;
/** Longest path and path segment accepted, in UTF-8 bytes (common filesystem limits). */
export const MAX_PATH_BYTES = 4096;
export const MAX_SEGMENT_BYTES = 255;

/** Code points HFS+ ignores when it compares names (git's `is_hfs_dotgit` list). */
function isHfsIgnorable(code: number): boolean {
  return (code >= 0x200c && code <= 0x200f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x206a && code <= 0x206f) || code === 0xfeff;
}

/** `text` without trailing dots and spaces, which NTFS drops from names. */
function trimDotsAndSpaces(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === "." || text[end - 1] === " ")) end--;
  return text.slice(0, end);
}

/**
 * A segment as a case-insensitive filesystem compares it: HFS+-ignorable
 * code points dropped, lower case, an NTFS stream suffix (`::$INDEX_ALLOCATION`)
 * and trailing dots and spaces removed.
 */
function foldSegment(segment: string): string {
  let folded = "";
  for (const char of segment) if (!isHfsIgnorable(char.codePointAt(0) as number)) folded += char;
  folded = folded.toLowerCase();
  const stream = folded.indexOf(":");
  return trimDotsAndSpaces(stream >= 0 ? folded.slice(0, stream) : folded);
}

/**
 * True for `.git` in any spelling git's own `verify_path` refuses (HFS+ and
 * NTFS protection): any case, ignorable code points, trailing dots and
 * spaces, an alternate data stream, the 8.3 short name `git~1`. A backslash
 * separates segments on Windows, so it does here too.
 */
function isGitDirName(segment: string): boolean {
  return segment.split("\\").some((part) => {
    const bare = foldSegment(part);
    return bare === ".git" || bare === "git~1";
  });
}

/** Control characters, bidi controls and line separators: they make a name read differently from what it is. */
function unusableCharacter(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x85) return "control characters";
    if (code === 0x061c || code === 0x200e || code === 0x200f || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
      return "bidirectional-text control characters";
    }
    if (code === 0x2028 || code === 0x2029) return "line or paragraph separators";
  }
  return null;
}

/**
 * Normalises a repository-relative path (`./a//b` → `a/b`) and refuses
 * absolute paths, `..` segments, `.git` segments and unusable names.
 */
export function normalizePath(input: string): string {
  if (typeof input !== "string") throw new WorkspacePathError("path_invalid", String(input), `${JSON.stringify(input)} is not a usable path: it is not text`);
  const unusable = unusableCharacter(input);
  if (unusable) {
    throw new WorkspacePathError("path_invalid", input, `${JSON.stringify(input)} is not a usable path: it contains ${unusable}`);
  }
  if (Buffer.byteLength(input, "utf8") > MAX_PATH_BYTES) {
    throw new WorkspacePathError("path_invalid", input, `the path is longer than ${MAX_PATH_BYTES} bytes; use a shorter path`);
  }
  if (input.startsWith("/") || input.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(input)) {
    throw new WorkspacePathError(
      "path_absolute",
      input,
      `"${input}" is an absolute path; use a path relative to the repository root, e.g. "src/index.ts"`,
    );
  }
  const segments = input.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) {
    throw new WorkspacePathError("path_traversal", input, `"${input}" contains "..": paths must stay inside the repository; name the file from the repository root`);
  }
  if (segments.some(isGitDirName)) {
    throw new WorkspacePathError("path_git_dir", input, `"${input}" is inside a .git directory, which agents may not read or change`);
  }
  if (segments.length === 0) {
    throw new WorkspacePathError("path_invalid", input, `"${input}" names the repository root, not a file`);
  }
  if (segments.length > MAX_PATH_DEPTH) {
    throw new WorkspacePathError("path_invalid", input, `the path is ${segments.length} directories deep; the limit is ${MAX_PATH_DEPTH}`);
  }
  const long = segments.find((segment) => Buffer.byteLength(segment, "utf8") > MAX_SEGMENT_BYTES);
  if (long !== undefined) {
    throw new WorkspacePathError("path_invalid", input, `the name "${long.slice(0, 40)}…" is longer than ${MAX_SEGMENT_BYTES} bytes; use a shorter name`);
  }
  return segments.join("/");
}

/**
 * Compiles globs (picomatch syntax, dotfiles included) into one predicate
 * returning the first glob that matches. Matching is linear in the path
 * whatever the glob; a glob that cannot be matched so throws `PatternError`.
 */
export function compileGlobs(globs: readonly string[], options: { basename?: boolean } = {}): (path: string) => string | undefined {
  const matchers = globs.map((glob) => {
    const pattern = glob.endsWith("/") ? `${glob}**` : glob;
    return { glob, test: compileGlob(pattern, { basename: options.basename === true }) };
  });
  return (path) => matchers.find((m) => m.test(path))?.glob;
}

/**
 * A glob filter for `list` and `search`: a glob without `/` matches base
 * names anywhere (`*.ts`), a glob ending in `/` matches everything below.
 */
export function compileListGlob(glob: string | undefined): (path: string) => boolean {
  if (glob === undefined || glob === "" || glob === "**") return () => true;
  const match = compileGlobs([glob], { basename: true });
  return (path) => match(path) !== undefined;
}

export interface WritePolicyOptions {
  /** Globs the workspace may write; omitted means anywhere not protected. */
  writeScopes?: readonly string[];
  /** Globs nobody may write; default `.github/workflows/**`. */
  protectedPaths?: readonly string[];
}

/** A path as a case-insensitive filesystem reads it (see `foldSegment`). */
function foldPath(path: string): string {
  return path.split("/").map(foldSegment).join("/");
}

/**
 * Returns a check that throws `path_protected` or `path_outside_scope` for a
 * normalised path. Protected paths match as a case-insensitive filesystem
 * reads names (`.GitHub/Workflows./ci.yml` is `.github/workflows/ci.yml`).
 */
export function createWritePolicy(options: WritePolicyOptions): (path: string) => void {
  const protectedPaths = options.protectedPaths ?? DEFAULT_PROTECTED_PATHS;
  const exact = compileGlobs(protectedPaths);
  const folded = compileGlobs(protectedPaths.map((glob) => glob.toLowerCase()));
  const isProtected = (path: string) => {
    const hit = exact(path) ?? folded(foldPath(path));
    return hit === undefined ? undefined : (protectedPaths.find((glob) => glob === hit || glob.toLowerCase() === hit) ?? hit);
  };
  const scopes = options.writeScopes;
  const inScope = scopes ? compileGlobs(scopes) : undefined;
  return (path) => {
    const rule = isProtected(path);
    if (rule !== undefined) {
      throw new WorkspacePathError("path_protected", path, `"${path}" is protected (matches "${rule}"); agents may not change protected paths`, {
        allowed: scopes ?? [],
      });
    }
    if (scopes && inScope && inScope(path) === undefined) {
      const message =
        scopes.length === 0
          ? `"${path}" cannot be written: this workspace is read-only (no write scopes)`
          : `"${path}" is outside this agent's write scope; it may only write paths matching ${scopes.map((s) => `"${s}"`).join(", ")}`;
      throw new WorkspacePathError("path_outside_scope", path, message, { allowed: scopes });
    }
  };
}
