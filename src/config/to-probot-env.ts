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
    // With Redis, Probot shares GitHub rate-limit state across processes.
    REDIS_URL: config.redisUrl?.reveal(),
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
