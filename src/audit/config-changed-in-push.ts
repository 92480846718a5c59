/**
 * Whether a `push` webhook changed the repository config that declares the
 * audits, so the schedules must be synced again.
 */

/** Where the repository config lives (what `context.config("dynflow.yml")` reads). */
export const REPO_CONFIG_PATH = ".github/dynflow.yml";

/**
 * GitHub lists at most this many commits in a push payload; a longer push may
 * hide the change, so it counts as one (a sync is idempotent).
 */
const MAX_LISTED_COMMITS = 2048;

/** The fields of a `push` payload this reads; Probot's `PushEvent` fits. */
export interface PushPayloadLike {
  ref: string;
  deleted?: boolean;
  repository: { default_branch?: string | null };
  commits?: readonly { added?: readonly string[] | null; modified?: readonly string[] | null; removed?: readonly string[] | null }[] | null;
}

/**
 * True when the push went to the default branch and any of its commits
 * added, modified or removed `.github/dynflow.yml` (a removal means "no
 * audits"). A deleted branch, a tag and any other branch never count: the
 * config is read from the default branch only.
 */
export function configChangedInPush(payload: PushPayloadLike): boolean {
  const branch = payload.repository.default_branch;
  if (!branch || payload.deleted || payload.ref !== `refs/heads/${branch}`) return false;
  const commits = payload.commits ?? [];
  if (commits.length >= MAX_LISTED_COMMITS) return true;
  return commits.some((commit) =>
    [commit.added, commit.modified, commit.removed].some((paths) => (paths ?? []).includes(REPO_CONFIG_PATH)),
  );
}
