/**
 * Who a commit is by, as git reads it: the environment of `git commit-tree`
 * for an author or a committer. One rule for worker commits and merge
 * commits, so both are dated and named the same way.
 */
import type { CommitIdentity } from "./types.js";

/** `GIT_<role>_NAME`, `_EMAIL` and `_DATE` for `who` at `seconds` since the epoch, in UTC. */
export function commitIdentityEnv(role: "AUTHOR" | "COMMITTER", who: CommitIdentity, seconds: number): Record<string, string> {
  // Git rejects or mangles these characters in an identity line.
  const clean = (s: string) => s.replace(/[<>\n\r\0]/g, "").trim();
  return { [`GIT_${role}_NAME`]: clean(who.name), [`GIT_${role}_EMAIL`]: clean(who.email), [`GIT_${role}_DATE`]: `@${seconds} +0000` };
}

/** Characters git strips from both ends of a name or an email (ident.c's "crud"). */
function isCrud(char: string): boolean {
  return char <= " " || ".,:;<>\"\\'".includes(char);
}

function withoutCrud(text: string): string {
  const clean = text.replace(/[<>\n]/g, "");
  let start = 0;
  let end = clean.length;
  while (start < end && isCrud(clean[start] as string)) start++;
  while (end > start && isCrud(clean[end - 1] as string)) end--;
  return clean.slice(start, end);
}

/** What a commit needs besides its message, as `git commit-tree` would be given it. */
export interface CommitObjectInput {
  tree: string;
  parents: readonly string[];
  author: CommitIdentity;
  committer: CommitIdentity;
  seconds: number;
  message: string;
}

/**
 * The commit object `git commit-tree -F -` writes for `input` with the
 * identities of `commitIdentityEnv` (the same bytes, so the same id), or
 * null when git would refuse an identity (an empty name), for the caller to
 * let git say so.
 */
export function formatCommitObject(input: CommitObjectInput): string | null {
  const line = (role: "author" | "committer", who: CommitIdentity) => {
    const env = commitIdentityEnv(role === "author" ? "AUTHOR" : "COMMITTER", who, input.seconds);
    const name = withoutCrud(env[`GIT_${role.toUpperCase()}_NAME`] as string);
    const email = withoutCrud(env[`GIT_${role.toUpperCase()}_EMAIL`] as string);
    return name === "" ? null : `${role} ${name} <${email}> ${input.seconds} +0000\n`;
  };
  const author = line("author", input.author);
  const committer = line("committer", input.committer);
  if (author === null || committer === null) return null;
  return `tree ${input.tree}\n${input.parents.map((p) => `parent ${p}\n`).join("")}${author}${committer}\n${input.message}`;
}
