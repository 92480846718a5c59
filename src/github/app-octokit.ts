/**
 * Probot's Octokit as dynflow's processes use it (the web process and
 * `dynflow worker`s alike): app authentication routed to the API in use
 * (`routeAppAuthToBaseUrl`), and GitHub's limits kept per installation.
 *
 * GitHub limits each installation on its own, so Octokit's throttling
 * (Bottleneck groups keyed by the throttle `id`) gets the installation's id.
 * Probot gives that id to `app.auth(id)` clients but not to a webhook's
 * `context.octokit`, whose writes would otherwise all wait in one limiter
 * (`no-id`, one write a second for every installation together).
 * The limiters live in the process: Probot's Redis-backed ones are not used
 * (`toProbotEnv` leaves `REDIS_URL` out), so a Redis restart cannot break them.
 */
import { ProbotOctokit } from "probot";
import { routeAppAuthToBaseUrl, type OctokitOptionsLike } from "./route-app-auth.js";

interface ThrottledOptions extends OctokitOptionsLike {
  throttle?: Record<string, unknown>;
}

/** The Octokit class to give Probot (its `Octokit` option). */
export function appOctokit(): typeof ProbotOctokit {
  return ProbotOctokit.defaults((defaults: ThrottledOptions) => limitPerInstallation(routeAppAuthToBaseUrl(defaults)));
}

/** `options` with the throttle keyed by the installation the client authenticates as (unchanged for the App's own client). */
export function limitPerInstallation<T extends ThrottledOptions>(options: T): T {
  const installationId = installationIdOf(options.auth);
  if (installationId === undefined || options.throttle?.enabled === false) return options;
  return { ...options, throttle: { ...options.throttle, id: `installation-${installationId}` } };
}

function installationIdOf(auth: unknown): number | string | undefined {
  if (typeof auth !== "object" || auth === null) return undefined;
  const id = (auth as { installationId?: unknown }).installationId;
  return typeof id === "number" || typeof id === "string" ? id : undefined;
}
