/**
 * The runtime the GitHub use cases run on: the shared services plus what
 * needs the App's identity (installation clients, the slug, the bot's commit
 * identity). The Probot app builds it from its `app.auth`; a `dynflow worker`
 * that takes run steps builds the same from the App's credentials.
 */
import type { GitHubClient } from "../../github/github-client.js";
import { createProgressPacing } from "../surfaces/progress-pacing.js";
import { createBotIdentityResolver } from "./bot-identity.js";
import type { AppRuntime, RunServices } from "./types.js";

export interface AppIdentity {
  /** A client authenticated as the installation (tokens renewed by Octokit). */
  auth(installationId: number): Promise<GitHubClient>;
  /** The App's slug, or undefined while GitHub cannot tell. */
  appSlug(): Promise<string | undefined>;
}

/** Adds the App's identity to the services. */
export function createAppRuntime(services: RunServices, identity: AppIdentity): AppRuntime {
  return {
    ...services,
    github: (installationId) => identity.auth(installationId),
    appSlug: () => identity.appSlug(),
    botIdentity: createBotIdentityResolver({ appSlug: () => identity.appSlug(), host: services.githubHost, log: services.log }),
    progressPacing: createProgressPacing(services.progressIntervalMs),
  };
}
