/**
 * The permission gate: only people with write, maintain or admin access to
 * the repository may start, plan, approve, cancel or resume runs (they spend
 * money and push branches). Bots are never obeyed, so two apps cannot drive
 * each other in a loop.
 */
import type { Verb } from "../commands/usage.js";
import { safeLogin } from "../report/escape-markdown.js";
import { httpStatusOf, type GitHubClient } from "./github-client.js";

export type PermissionCheck =
  | { allowed: true; permission: string; roleName: string | null }
  | {
      allowed: false;
      /** `none` when GitHub does not know the user for this repository. */
      permission: string;
      roleName: string | null;
    };

/**
 * Roles that may run commands. `role_name` carries maintain and custom roles;
 * `permission` is the legacy base role (maintain reads as write there), which
 * also covers custom roles built on write.
 */
const ALLOWED_ROLES = new Set(["admin", "maintain", "write"]);
const ALLOWED_PERMISSIONS = new Set(["admin", "write"]);

/**
 * Asks GitHub for `username`'s permission on the repository
 * (`GET /repos/{owner}/{repo}/collaborators/{username}/permission`).
 * A 404 means no access; other failures are rethrown for the caller to report.
 */
export async function checkPermission(
  octokit: GitHubClient,
  params: { owner: string; repo: string; username: string },
): Promise<PermissionCheck> {
  let data: { permission: string; role_name?: string | null };
  try {
    ({ data } = await octokit.rest.repos.getCollaboratorPermissionLevel(params));
  } catch (error) {
    if (httpStatusOf(error) === 404) return { allowed: false, permission: "none", roleName: null };
    throw error;
  }
  const roleName = data.role_name ?? null;
  const allowed = ALLOWED_PERMISSIONS.has(data.permission) || (roleName !== null && ALLOWED_ROLES.has(roleName));
  return { allowed, permission: data.permission, roleName };
}

/** True for GitHub Apps and other bot accounts (`type: "Bot"` or a login ending in `[bot]`). */
export function isBot(sender: { type?: string | null; login: string }): boolean {
  return sender.type === "Bot" || sender.login.toLowerCase().endsWith("[bot]");
}

/** Verbs anyone who can comment may use: they only read. Every other verb goes through the gate. */
export function requiresWriteAccess(verb: Verb): boolean {
  return verb !== "help" && verb !== "status";
}

/** The reply to someone the gate refused: polite, and says who can run commands. */
export function renderPermissionRefusal(username: string): string {
  const login = safeLogin(username);
  const greeting = login ? `Sorry @${login}, only` : "Sorry, only";
  return (
    `${greeting} people with **write**, **maintain** or **admin** access to this repository can run dynflow commands ` +
    "that start, plan, approve, cancel or resume runs. Ask a maintainer to run the command for you, " +
    "or to give you write access. `/dynflow help` and `/dynflow status` work for everyone."
  );
}
