/**
 * The run-step side of a `dynflow worker` with the App's credentials: it
 * builds the same services and runtime as the web process (the store shared
 * through `DATABASE_URL`, installation clients from `APP_ID` and the private
 * key), takes run steps from the shared run queue, and queues again the runs
 * a crash or a redeploy left unfinished.
 */
import type { Logger } from "pino";
import { Probot, type ProbotOctokit } from "probot";
import type { AppConfig } from "../../config/load-env.js";
import { createAppSlugResolver } from "../../github/get-app-slug.js";
import { toGitHubClient } from "../../github/github-client.js";
import { appOctokit } from "../../github/app-octokit.js";
import { createAppRuntime } from "../services/create-app-runtime.js";
import { closeRunServices, createRunServices, type CreateRunServicesOptions } from "../services/create-run-services.js";
import { takesRunSteps } from "../services/open-run-queues.js";
import { createRunJobProcessor } from "./process-run-job.js";
import { recoverRuns } from "./recover-runs.js";
import type { RunServices } from "../services/types.js";

export interface RunWorkerOptions extends Omit<CreateRunServicesOptions, "takeRunJobs"> {
  /** Probot's Octokit for installation clients. Default: `appOctokit()`, as the web process uses it. */
  Octokit?: typeof ProbotOctokit;
}

export interface RunWorker {
  readonly services: RunServices;
  /** Stops taking run steps, waits for running ones, and closes the queues and the store. */
  close(): Promise<void>;
}

/** Starts taking run steps; resolves once the unfinished runs are queued again. */
export async function startRunWorker(config: AppConfig, log: Logger, options: RunWorkerOptions = {}): Promise<RunWorker> {
  const { Octokit, ...serviceOptions } = options;
  if (!takesRunSteps(config) || config.appId === null || config.privateKey === null) {
    throw new TypeError("startRunWorker: needs APP_ID, the private key, DATABASE_URL and REDIS_URL (check takesRunSteps first)");
  }
  const services = await createRunServices(config, log, { ...serviceOptions, takeRunJobs: true });
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey.reveal(),
    baseUrl: config.githubApiUrl,
    log,
    Octokit: Octokit ?? appOctokit(),
  });
  const slug = config.appSlug;
  const runtime = createAppRuntime(services, {
    auth: async (installationId) => toGitHubClient(await probot.auth(installationId)),
    appSlug: slug !== null ? async () => slug : createAppSlugResolver(probot, log),
  });
  services.queue.start(createRunJobProcessor(runtime));
  try {
    // Idempotent across processes: a step already queued or running under its job id is not queued twice.
    await recoverRuns(runtime);
  } catch (error) {
    log.error({ err: error }, "could not queue unfinished runs again");
  }
  return { services, close: () => closeRunServices(services) };
}
