/**
 * `dynflow worker`: a process that runs agents taken from the Redis queue,
 * and, with the App's credentials and the shared database, run steps too
 * (plan, execute, merge, report on GitHub). Start as many as the deployment
 * needs, on any machine; the global cap holds across all of them.
 */
import { parseArgs } from "node:util";
import { pino, type Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { DEFAULT_RUN_QUEUE } from "../queue/runs/create-bull-run-queue.js";
import { takesRunSteps } from "../app/services/open-run-queues.js";
import type { RunWorker } from "../app/steps/start-run-worker.js";
import { createBatchModelClient } from "../agents/model/batch/index.js";
import { createModelClient } from "../agents/model/index.js";
import { hasAppCredentials, loadEnv } from "../config/load-env.js";
import { createRunnerFactory } from "../queue/agents/create-runner-factory.js";
import { openStore } from "../store/index.js";
import { appTranscriptOptions, createAppTranscriptRecorder } from "../transcripts/create-app-transcript-recorder.js";
import { createShippedTranscripts } from "../transcripts/ship-transcripts.js";
import { startAgentWorker } from "../queue/agents/start-agent-worker.js";
import { DEFAULT_AGENT_QUEUE } from "../queue/agents/types.js";
import { intFlag, UsageError, type CliIo } from "./cli-io.js";

export const WORKER_USAGE = `Usage: dynflow worker [options]

Runs agents taken from the Redis queue at REDIS_URL. With the App's credentials
(APP_ID and the private key) and DATABASE_URL it also takes run steps: it plans and
executes runs, merges, and reports on GitHub, DYNFLOW_MAX_CONCURRENT_RUNS at once.
Without them it takes agents only. Start as many workers as you like, on any machine:
DYNFLOW_MAX_CONCURRENCY caps the agents running at once across all of them.
Stops on SIGTERM or SIGINT: no new agent is taken, running agents may finish within
the grace period, and whatever still runs then goes back to the queue for another worker.

Options:
  --concurrency N          agents this process runs at once (1-4096, default 4)
  --queue NAME             the agents queue (default ${DEFAULT_AGENT_QUEUE}; the same on every process)
  --run-queue NAME         the run steps queue (default ${DEFAULT_RUN_QUEUE}; the same on every process)
  --shutdown-grace SECS    time running agents get to finish on shutdown (default 25)
  --lock-ms N              advanced: an agent whose worker stops renewing its lock for
                           this long is taken over by another worker (default 30000)
  --stalled-check-ms N     advanced: how often this worker looks for such agents (default 30000)

Environment:
  REDIS_URL                Redis shared with the web process (required)
  ANTHROPIC_API_KEY        the model API key (required)
  ANTHROPIC_BASE_URL       the model API's URL (default https://api.anthropic.com)
  DYNFLOW_DATA_DIR         where this worker keeps its clones (default ./data; one per process)
  DYNFLOW_MAX_CONCURRENCY  agents running at once across every worker (set on the queue when given)
  APP_ID, PRIVATE_KEY      the App's credentials: installation tokens for private repositories,
                           and, with DATABASE_URL, run steps (GitHub is reached as the App)
  DATABASE_URL             PostgreSQL shared with the web process (run steps need it); agents'
                           transcripts are written there, or without it sent back with each result
  DYNFLOW_MAX_CONCURRENT_RUNS  run steps this process works on at once (default 4)
  GHE_HOST, DYNFLOW_PRICES, LOG_LEVEL  as for the web process (docs/config.md)
`;

/** Injected by tests; the defaults are the real process's. */
export interface WorkerCommandDeps {
  /** Resolves when the worker should stop (default: the first SIGTERM or SIGINT). */
  untilStopped?: () => Promise<string>;
  log?: Logger;
  /** Called once the worker takes jobs. */
  onReady?: () => void;
  /** Probot's Octokit for the installation clients of run steps (tests turn retries and throttling off). */
  Octokit?: typeof ProbotOctokit;
}

export async function workerCommand(argv: string[], io: CliIo, deps: WorkerCommandDeps = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      concurrency: { type: "string" },
      queue: { type: "string" },
      "run-queue": { type: "string" },
      "shutdown-grace": { type: "string" },
      "lock-ms": { type: "string" },
      "stalled-check-ms": { type: "string" },
    },
  });
  const concurrency = intFlag("concurrency", values.concurrency, 1, 4096) ?? 4;
  const graceSeconds = intFlag("shutdown-grace", values["shutdown-grace"], 0, 86_400) ?? 25;
  const lockDurationMs = intFlag("lock-ms", values["lock-ms"], 100);
  const stalledIntervalMs = intFlag("stalled-check-ms", values["stalled-check-ms"], 100);
  const queueName = checkQueueName("queue", values.queue ?? DEFAULT_AGENT_QUEUE);
  const runQueueName = checkQueueName("run-queue", values["run-queue"] ?? DEFAULT_RUN_QUEUE);

  const config = loadEnv(io.env, { cwd: io.cwd });
  if (!config.redisUrl) throw new UsageError("REDIS_URL is not set; a worker takes its agents from the Redis queue the web process uses");
  if (!config.anthropicApiKey) throw new UsageError("ANTHROPIC_API_KEY is not set; export the model API key for the worker's agents");
  const log = deps.log ?? pino({ level: config.logLevel });

  const model = createModelClient({
    apiKey: config.anthropicApiKey.reveal(),
    baseURL: config.anthropicBaseUrl ?? undefined,
    prices: config.prices,
    log,
  });
  // Runs that asked for batch pricing (audits with `batch: true`) share one batch client per worker.
  const batchModel = createBatchModelClient({
    apiKey: config.anthropicApiKey.reveal(),
    baseURL: config.anthropicBaseUrl ?? undefined,
    prices: config.prices,
    log,
  });
  // Loaded only with App credentials: it pulls in Probot's Octokit.
  const credentials = hasAppCredentials(config)
    ? (await import("../queue/agents/installation-credentials.js")).createInstallationCredentials({
        appId: config.appId as number,
        privateKey: config.privateKey!.reveal(),
        baseUrl: config.githubApiUrl,
        log,
      })
    : undefined;
  // With the shared database, agents' transcripts are written from here, as they happen; without it they
  // go back in each agent's outcome and the run's owner stores them.
  const transcriptStore = config.databaseUrl ? await openStore({ url: config.databaseUrl.reveal(), log }) : null;
  const shipped = transcriptStore ? null : createShippedTranscripts(appTranscriptOptions(config, log));
  const transcripts = transcriptStore ? createAppTranscriptRecorder(transcriptStore, config, log) : shipped?.recorder;
  const worker = await startAgentWorker({
    connection: { url: config.redisUrl.reveal() },
    queueName,
    concurrency,
    // Only an explicit setting changes the queue's cap: a worker started without it must not reset the deployment's.
    globalConcurrency: io.env.DYNFLOW_MAX_CONCURRENCY?.trim() ? config.caps.maxConcurrency : undefined,
    createRunner: createRunnerFactory({ model, batchModel, dataDir: config.dataDir, credentials, env: io.env as NodeJS.ProcessEnv, log, ...(transcripts ? { transcripts } : {}) }),
    lockDurationMs,
    stalledIntervalMs,
    log,
    ...(shipped ? { shipTranscripts: shipped } : {}),
  });
  io.stderr(`dynflow worker: taking agents from queue ${queueName} at ${config.redisUrl.toString()} (${concurrency} at once)\n`);
  let runs: RunWorker | null = null;
  if (takesRunSteps(config)) {
    try {
      // Loaded only when needed: it pulls in Probot.
      const { startRunWorker } = await import("../app/steps/start-run-worker.js");
      runs = await startRunWorker(config, log, { agentQueueName: queueName, runQueueName, ...(deps.Octokit ? { Octokit: deps.Octokit } : {}) });
    } catch (error) {
      await worker.stop(0);
      throw error;
    }
    io.stderr(`dynflow worker: taking run steps from queue ${runQueueName} (${config.caps.maxConcurrentRuns} at once)\n`);
  } else {
    io.stderr(`dynflow worker: agents only (run steps need APP_ID, the private key and DATABASE_URL)\n`);
  }
  deps.onReady?.();

  const reason = await (deps.untilStopped ?? untilSignal)();
  io.stderr(`dynflow worker: ${reason}: stopping (running agents get ${graceSeconds} s, then go back to the queue; running run steps may finish)\n`);
  await Promise.all([worker.stop(graceSeconds * 1000), runs?.close()]);
  await transcripts?.close();
  await transcriptStore?.close();
  return 0;
}

function checkQueueName(flag: string, name: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw new UsageError(`--${flag} must be letters, digits, ".", "_" or "-"; got "${name}"`);
  return name;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve(signal);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
