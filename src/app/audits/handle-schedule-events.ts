/**
 * The webhooks that change which audits are scheduled: the app installed (or
 * unsuspended) and repositories added to it read each repository's config;
 * the app uninstalled (or suspended) and repositories removed from it drop
 * their schedules; a push to the default branch that touches
 * `.github/dynflow.yml` reads the config again. `installation` and
 * `installation_repositories` reach every App without subscribing; `push`
 * is subscribed in `app.yml`.
 */
import type { Context } from "probot";
import { configChangedInPush, removeInstallationSchedules, removeRepositorySchedules } from "../../audit/index.js";
import { toGitHubClient } from "../../github/github-client.js";
import { dropSchedules, syncInstallationSchedules, syncRepoSchedules, type ScheduleSyncDeps } from "./sync-repo-schedules.js";

/** A repository as installation payloads list it. */
interface ListedRepository {
  full_name: string;
  name: string;
}

/** `installation.created` / `installation.unsuspend`: schedule the audits of every repository the app can see. */
export async function onInstalled(context: Context<"installation.created" | "installation.unsuspend">, deps: ScheduleSyncDeps): Promise<void> {
  const github = toGitHubClient(context.octokit);
  const { installation } = context.payload;
  // `created` lists the repositories; `unsuspend` may not, so ask GitHub then.
  const listed: readonly ListedRepository[] =
    context.payload.repositories ?? (await github.paginate(github.rest.apps.listReposAccessibleToInstallation, { per_page: 100 }));
  await syncInstallationSchedules(github, installation.id, listed.map(toRepository), deps);
}

/** `installation.deleted` / `installation.suspend`: an installation that cannot run drops every schedule. */
export async function onUninstalled(context: Context<"installation.deleted" | "installation.suspend">, deps: ScheduleSyncDeps): Promise<void> {
  const installationId = context.payload.installation.id;
  await dropSchedules(() => removeInstallationSchedules(deps.store, installationId), { installationId, action: context.payload.action }, deps);
}

/** `installation_repositories.added`: schedule the new repositories' audits. */
export async function onRepositoriesAdded(context: Context<"installation_repositories.added">, deps: ScheduleSyncDeps): Promise<void> {
  const github = toGitHubClient(context.octokit);
  await syncInstallationSchedules(github, context.payload.installation.id, context.payload.repositories_added.map(toRepository), deps);
}

/** `installation_repositories.removed`: drop the removed repositories' schedules. */
export async function onRepositoriesRemoved(context: Context<"installation_repositories.removed">, deps: ScheduleSyncDeps): Promise<void> {
  const installationId = context.payload.installation.id;
  for (const { owner, repo } of context.payload.repositories_removed.map(toRepository)) {
    await dropSchedules(() => removeRepositorySchedules(deps.store, { installationId, owner, repo }), { installationId, owner, repo }, deps);
  }
}

/** `push`: when it changed `.github/dynflow.yml` on the default branch, sync the repository's schedules with it. */
export async function onPush(context: Context<"push">, deps: ScheduleSyncDeps): Promise<void> {
  const { payload } = context;
  const installationId = payload.installation?.id;
  if (installationId === undefined || !configChangedInPush(payload)) return;
  const repoKey = { installationId, ...toRepository(payload.repository) };
  await syncRepoSchedules(toGitHubClient(context.octokit), repoKey, deps);
}

function toRepository(listed: ListedRepository): { owner: string; repo: string } {
  // `full_name` is `owner/name`; neither part can hold a `/`.
  return { owner: listed.full_name.slice(0, listed.full_name.length - listed.name.length - 1), repo: listed.name };
}
