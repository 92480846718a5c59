/**
 * Isolated git workspaces: fork from a base commit, read from git objects,
 * write to an in-memory overlay, commit to `dynflow/<run-id>-work/<slug>`;
 * the clones they work in, and git itself. The folder's public surface:
 * code outside `src/workspace/` imports from here (enforced by lint).
 */
export { compileGlobs, DEFAULT_PROTECTED_PATHS, normalizePath, type WritePolicyOptions } from "./check-path.js";
export type { CarriedChange, CarriedObject } from "./carry-change.js";
export { cloneDir, cloneDirOf } from "./clone-dir.js";
export { commitIdentityEnv } from "./commit-identity.js";
export {
  CarriedChangeError,
  CommitNotFoundError,
  GitCommandError,
  InvalidRefNameError,
  InvalidRemoteUrlError,
  InvalidSearchPatternError,
  PushRejectedError,
  RepositoryClosedError,
  WorkspacePathError,
  type WorkspacePathErrorCode,
} from "./errors.js";
export { gitEnvironment } from "./git-env.js";
export { prepareGitLauncher } from "./git-launcher.js";
export { GitRepository, openRepository, type PathEntry, type RepositoryOptions } from "./open-repository.js";
export { acquireRepository, REPOSITORY_LINGER_MS, type SharedRepository, type SharedRepositoryOptions } from "./shared-repository.js";
export { pushBranches, type PushBranchesOptions, type PushedRef } from "./push-branches.js";
export type { PackSource } from "./push-over-http.js";
export { listRemoteBranches, type ListRemoteBranchesOptions } from "./list-remote-branches.js";
export { runGit, type GitContext, type GitOutput, type RunGitOptions } from "./run-git.js";
export { SlugRegistry, agentSlug, resultBranch, slugify, workerBranch } from "./slugify.js";
export { syncClone, type SyncCloneOptions, type SyncCloneResult } from "./sync-clone.js";
export type * from "./types.js";
export { Workspace } from "./workspace.js";
export { deleteRemoteBranches, type DeleteRemoteBranchesOptions } from "./delete-remote-branches.js";
