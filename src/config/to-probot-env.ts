/**
 * The variables Probot's `run()` reads, produced from the validated
 * configuration so Probot and dynflow agree on every value.
 */
import type { AppConfig } from "./load-env.js";

export function toProbotEnv(config: AppConfig): Record<string, string> {
  const env: Record<string, string | undefined> = {
    APP_ID: config.appId?.toString(),
    PRIVATE_KEY: config.privateKey?.reveal(),
    WEBHOOK_SECRET: config.webhookSecret?.reveal(),
    GHE_HOST: config.gheHost ?? undefined,
    GHE_PROTOCOL: config.gheProtocol,
    HOST: config.host,
    PORT: String(config.port),
    WEBHOOK_PATH: config.webhookPath,
    WEBHOOK_PROXY_URL: config.webhookProxyUrl ?? undefined,
    // REDIS_URL is not passed on: Probot would share one write limiter for every installation through Redis,
    // and lose it on a Redis restart. GitHub's limits are kept per installation in each process (github/app-octokit.ts).
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
