/**
 * Installation tokens for a worker process: a worker clones, fetches and
 * pushes a run's repository as the App's installation, with the App's own
 * credentials (the same `APP_ID` and private key as the web process). Tokens
 * never travel through Redis.
 */
import type { Logger } from "pino";
import { ProbotOctokit } from "probot";
import { withBufferedFetch } from "../../github/app-octokit.js";
import { getInstallationToken } from "../../github/installation-token.js";
import { routeAppAuthToBaseUrl } from "../../github/route-app-auth.js";
import type { Clock } from "../../time.js";
import type { QueuedRunContext } from "./types.js";

export interface InstallationCredentialsOptions {
  appId: number;
  privateKey: string;
  /** REST API root, e.g. `https://api.github.com` or `https://<GHE_HOST>/api/v3`. */
  baseUrl: string;
  log: Logger;
  clock?: Clock;
}

type AppOctokit = InstanceType<typeof ProbotOctokit>;

/**
 * `credentials` for `createRunnerFactory`: a contents-write token of the
 * run's installation (cached and renewed by Octokit), or undefined for a run
 * without one.
 */
export function createInstallationCredentials(options: InstallationCredentialsOptions): (context: QueuedRunContext) => Promise<string | undefined> {
  const Octokit = ProbotOctokit.defaults((defaults: Record<string, unknown>) => routeAppAuthToBaseUrl(withBufferedFetch(defaults)));
  const clients = new Map<number, AppOctokit>();
  return async (context) => {
    const installationId = context.installationId;
    if (installationId === null) return undefined;
    let octokit = clients.get(installationId);
    if (!octokit) {
      octokit = new Octokit({
        auth: { appId: options.appId, privateKey: options.privateKey, installationId },
        baseUrl: options.baseUrl,
        log: options.log.child({ installationId }),
        retry: { enabled: false },
      });
      clients.set(installationId, octokit);
    }
    const credentials = await getInstallationToken(octokit, { permissions: { contents: "write" }, clock: options.clock });
    return credentials.token;
  };
}
