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
