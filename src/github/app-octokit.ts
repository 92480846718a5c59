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
 * GitHub's secondary rate limits are retried after its `retry-after`, a
 * bounded number of times (`onSecondaryRateLimit`).
 * Requests go through `bufferedFetch` (src/http/buffered-fetch.ts), as the
 * model's do.
 * The limiters live in the process: Probot's Redis-backed ones are not used
 * (`toProbotEnv` leaves `REDIS_URL` out), so a Redis restart cannot break them.
 */
import { ProbotOctokit } from "probot";
import { bufferedFetch } from "../http/buffered-fetch.js";
import { SECONDARY_LIMIT_RETRIES } from "./github-client.js";
import { routeAppAuthToBaseUrl, type OctokitOptionsLike } from "./route-app-auth.js";

interface ThrottledOptions extends OctokitOptionsLike {
  throttle?: Record<string, unknown>;
  request?: Record<string, unknown>;
}

/** The longest `retry-after` waited for before a retry. */
export const SECONDARY_LIMIT_MAX_WAIT_S = 120;

interface LimitedRequest {
  method: string;
  url: string;
}

/**
 * Probot's own handler only logs a secondary rate limit, so the request
 * fails (a `POST /pulls` after a burst of writes lost the run's pull
 * request). It is retried after GitHub's `retry-after`, a bounded number of
 * times; past that the 403 reaches the run, whose message says it was GitHub's limit.
 */
function onSecondaryRateLimit(retryAfter: number, options: LimitedRequest, octokit: { log: { warn(message: string): void } }, retryCount: number): boolean {
  const retry = retryCount < SECONDARY_LIMIT_RETRIES && retryAfter <= SECONDARY_LIMIT_MAX_WAIT_S;
  octokit.log.warn(
    `GitHub's secondary rate limit on ${options.method} ${options.url}: ${retry ? `retry ${retryCount + 1} of ${SECONDARY_LIMIT_RETRIES} in ${retryAfter} s` : "giving up"}`,
  );
  return retry;
}

/** The Octokit class to give Probot (its `Octokit` option). */
export function appOctokit(): typeof ProbotOctokit {
  return ProbotOctokit.defaults((defaults: ThrottledOptions) => {
    const options = limitPerInstallation(routeAppAuthToBaseUrl(withBufferedFetch(defaults)));
    return options.throttle?.enabled === false ? options : { ...options, throttle: { ...options.throttle, onSecondaryRateLimit } };
  });
}

/** GitHub's REST answers are read whole: `options` with `bufferedFetch` as the fetch, unless they name one. */
export function withBufferedFetch<T extends { request?: Record<string, unknown> }>(options: T): T {
  return { ...options, request: { fetch: bufferedFetch, ...options.request } };
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
