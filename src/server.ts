/**
 * `npm start` (and `node dist/server.js`): reads the environment once, then
 * starts Probot's server with dynflow loaded. Without App credentials Probot
 * serves its setup flow instead, which registers the App on GitHub from
 * `app.yml` and writes the credentials to `.env`; restart afterwards.
 */
import { resolve } from "node:path";
import pino, { type Logger } from "pino";
import { run, type ApplicationFunctionOptions, type Probot } from "probot";
import { createAuditScheduling } from "./app/audits/audit-scheduling.js";
import { createRunServices } from "./app/services/create-run-services.js";
import { applyDotEnv, keepEnvironment, updateDotEnv } from "./config/apply-dot-env.js";
import { EnvConfigError, hasAppCredentials, loadEnv, redactedConfig, type AppConfig } from "./config/load-env.js";
import { toProbotEnv } from "./config/to-probot-env.js";
import { appOctokit } from "./github/app-octokit.js";
import dynflowApp, { type AppOptions } from "./index.js";
import { dashboardModeOf, dashboardRunUrl } from "./dashboard/dashboard-mode.js";

async function main(): Promise<void> {
  // Read once, the environment first (docs/config.md). Probot's setup flow writes the credentials
  // to .env, so a restart must read it.
  const dotEnv = resolve(".env");
  applyDotEnv(process.env, { path: dotEnv });
  const config = loadEnv(process.env);
  const log = pino({ level: config.logLevel });
  log.info({ config: redactedConfig(config) }, "configuration loaded");
  if (!hasAppCredentials(config)) log.warn("no App credentials: starting Probot's setup flow to register the app");
  else if (config.anthropicApiKey === null) log.warn("ANTHROPIC_API_KEY is not set: runs cannot start agents");

  const options = await buildAppOptions(config, log);
  // Probot's run() would apply .env again, over the environment: keepEnvironment undoes that.
  const server = await keepEnvironment(() => run((app: Probot, probotOptions: ApplicationFunctionOptions) => dynflowApp(app, { ...probotOptions, ...options }), {
    env: toProbotEnv(config),
    log,
    // The setup flow's new values (credentials, the webhook proxy channel) go into .env and the environment, nothing else.
    updateEnv: (values) => updateDotEnv(values as Record<string, string>, { path: dotEnv }),
    // Probot 14 sends the app's token requests to api.github.com even under GHE_HOST; this points them at the API in use.
    Octokit: appOctokit(),
  }));

  // Containers stop with SIGTERM; Probot itself only listens for SIGINT.
  process.once("SIGTERM", () => {
    log.info("SIGTERM: stopping the server");
    // Runs in flight stay `running` in the store and are picked up again at the next start.
    server
      .stop()
      .then(() => options.audits?.stop())
      .then(() => options.deps?.transcripts?.close())
      .then(() => options.deps?.store.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, "could not stop the server cleanly");
          process.exit(1);
        },
      );
  });
}

/** The app's dependencies, built once from the configuration (none in setup mode: there is no app to run yet). */
async function buildAppOptions(config: AppConfig, log: Logger): Promise<AppOptions> {
  const appSlug = config.appSlug ?? undefined;
  if (!hasAppCredentials(config)) return { appSlug };
  // Only an explicit DYNFLOW_MAX_CONCURRENCY changes the agents queue's deployment-wide cap.
  const deps = await createRunServices(config, log, { setAgentCap: Boolean(process.env.DYNFLOW_MAX_CONCURRENCY?.trim()) });
  log.info({ store: deps.store.engine, maxConcurrentRuns: config.caps.maxConcurrentRuns }, "run services ready");
  const dashboard = dashboardModeOf(config);
  if (dashboard.kind === "github") deps.dashboardUrl = (runId) => dashboardRunUrl(config.publicUrl as string, runId);
  else log.info({ missing: dashboard.kind === "off" ? dashboard.missing : [] }, "the dashboard is off: set GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and DYNFLOW_PUBLIC_URL to turn it on (docs/dashboard.md)");
  return { appSlug, deps, dashboard, audits: createAuditScheduling({ redisUrl: config.redisUrl?.reveal() ?? null }) };
}

main().catch((error: unknown) => {
  // The logger may not exist yet (the environment is what failed), so write to stderr directly.
  const text = error instanceof EnvConfigError ? error.message : `dynflow could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  process.stderr.write(`${text}\n`);
  process.exit(1);
});
