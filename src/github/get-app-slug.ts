/**
 * The App's slug (`dynflow-app` in `@dynflow-app run ...`), asked of GitHub
 * once (`GET /app`, as the App itself) and remembered. Mentions are a
 * convenience, so a failed lookup is logged and tried again on the next
 * comment, and `/dynflow` keeps working meanwhile.
 */
import type { Logger } from "pino";
import type { Probot } from "probot";
import { requestFailure } from "./github-client.js";

/** Returns a function that resolves to the slug, or undefined while GitHub cannot tell. */
export function createAppSlugResolver(app: Pick<Probot, "auth">, log?: Logger): () => Promise<string | undefined> {
  let slug: string | undefined;
  return async () => {
    if (slug !== undefined) return slug;
    try {
      // Without an installation id, `auth()` authenticates as the App (JWT), which `GET /app` needs.
      const octokit = await app.auth();
      const { data } = await octokit.rest.apps.getAuthenticated();
      slug = data?.slug ?? undefined;
    } catch (error) {
      log?.warn(requestFailure(error), "could not look up the app's slug; only /dynflow commands work until it succeeds");
    }
    return slug;
  };
}
