/**
 * Pure path rules of a workspace: normalisation (absolute, `..`, `.git`) and
 * the write policy (protected paths, write scopes). Checks that need the
 * tree (symlinks, file/directory clashes) live in the workspace itself.
 */
import { compileGlob } from "../patterns/index.js";
import { WorkspacePathError } from "./errors.js";

/** Paths no agent may write unless configured otherwise. */
export const DEFAULT_PROTECTED_PATHS: readonly string[] = Object.freeze([".github/workflows/**"]);

/** True for `.git` in any spelling a case-insensitive or Windows filesystem would read as `.git`. */
function isGitDirName(segment: string): boolean {
  const bare = segment.toLowerCase().replace(/[. ]+$/, "");
  return bare === ".git" || bare === "git~1";
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Normalises a repository-relative path (`./a//b` → `a/b`) and refuses
 * absolute paths, `..` segments, `.git` segments and unusable names.
 */
export function normalizePath(input: string): string {
  if (typeof input !== "string" || hasControlCharacter(input)) {
    throw new WorkspacePathError("path_invalid", String(input), `${JSON.stringify(input)} is not a usable path: it contains control characters`);
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

/** Returns a check that throws `path_protected` or `path_outside_scope` for a normalised path. */
export function createWritePolicy(options: WritePolicyOptions): (path: string) => void {
  const protectedPaths = options.protectedPaths ?? DEFAULT_PROTECTED_PATHS;
  const isProtected = compileGlobs(protectedPaths);
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
