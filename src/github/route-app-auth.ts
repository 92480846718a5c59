/**
 * Makes Probot's app authentication talk to the same host as everything else.
 *
 * Probot 14 gives its Octokit an `auth.request` built without the `baseUrl`,
 * so with app credentials the installation token request
 * (`POST /app/installations/{id}/access_tokens`) goes to api.github.com even
 * when the app runs against GitHub Enterprise Server (`GHE_HOST`). Passing
 * this to `ProbotOctokit.defaults` (Probot's `Octokit` option) points that
 * request at the client's `baseUrl`.
 */

interface RequestWithDefaults {
  defaults(options: { baseUrl: string }): unknown;
}

/** Octokit constructor options, as far as this function cares. */
export interface OctokitOptionsLike {
  baseUrl?: string;
  auth?: unknown;
}

/**
 * Returns `options` with `auth.request` bound to `options.baseUrl`; unchanged
 * when there is no `baseUrl` or no `auth.request` to bind. Use as
 * `ProbotOctokit.defaults((o) => ({ ...routeAppAuthToBaseUrl(o), ...more }))`.
 */
export function routeAppAuthToBaseUrl<T extends OctokitOptionsLike>(options: T): T {
  const { baseUrl, auth } = options;
  if (baseUrl === undefined || typeof auth !== "object" || auth === null) return options;
  const request = (auth as { request?: unknown }).request;
  if (typeof request !== "function" || typeof (request as Partial<RequestWithDefaults>).defaults !== "function") return options;
  return { ...options, auth: { ...auth, request: (request as unknown as RequestWithDefaults).defaults({ baseUrl }) } };
}
