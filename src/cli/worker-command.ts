/**
 * `dynflow worker`: a process that runs agents for runs owned by other
 * dynflow processes, taking them from the Redis queue. Start as many as the
 * deployment needs, on any machine; the global cap holds across all of them.
 */
import { parseArgs } from "node:util";
import { pino, type Logger } from "pino";
import { createModelClient } from "../agents/model/index.js";
import { hasAppCredentials, loadEnv } from "../config/load-env.js";
import { createRunnerFactory } from "../queue/create-runner-factory.js";
import { startAgentWorker } from "../queue/start-agent-worker.js";
import { DEFAULT_AGENT_QUEUE } from "../queue/types.js";
import { intFlag, UsageError, type CliIo } from "./cli-io.js";

export const WORKER_USAGE = `Usage: dynflow worker [options]

Runs agents of runs owned by other dynflow processes (the web process), taking them
from the Redis queue at REDIS_URL. Start as many workers as you like, on any machine:
DYNFLOW_MAX_CONCURRENCY caps the agents running at once across all of them.
Stops on SIGTERM or SIGINT: no new agent is taken, running agents may finish within
the grace period, and whatever still runs then goes back to the queue for another worker.

Options:
  --concurrency N          agents this process runs at once (1-4096, default 4)
  --queue NAME             the queue (default ${DEFAULT_AGENT_QUEUE}; the same on every process)
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
  APP_ID, PRIVATE_KEY      the App's credentials, for installation tokens of private repositories
  GHE_HOST, DYNFLOW_PRICES, LOG_LEVEL  as for the web process (docs/config.md)
`;

/** Injected by tests; the defaults are the real process's. */
export interface WorkerCommandDeps {
  /** Resolves when the worker should stop (default: the first SIGTERM or SIGINT). */
  untilStopped?: () => Promise<string>;
  log?: Logger;
  /** Called once the worker takes jobs. */
  onReady?: () => void;
}

export async function workerCommand(argv: string[], io: CliIo, deps: WorkerCommandDeps = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      concurrency: { type: "string" },
      queue: { type: "string" },
      "shutdown-grace": { type: "string" },
      "lock-ms": { type: "string" },
      "stalled-check-ms": { type: "string" },
    },
  });
  const concurrency = intFlag("concurrency", values.concurrency, 1, 4096) ?? 4;
  const graceSeconds = intFlag("shutdown-grace", values["shutdown-grace"], 0, 86_400) ?? 25;
  const lockDurationMs = intFlag("lock-ms", values["lock-ms"], 100);
  const stalledIntervalMs = intFlag("stalled-check-ms", values["stalled-check-ms"], 100);
  const queueName = values.queue ?? DEFAULT_AGENT_QUEUE;
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(queueName)) throw new UsageError(`--queue must be letters, digits, ".", "_" or "-"; got "${queueName}"`);

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
  // Loaded only with App credentials: it pulls in Probot's Octokit.
  const credentials = hasAppCredentials(config)
    ? (await import("../queue/installation-credentials.js")).createInstallationCredentials({
        appId: config.appId as number,
        privateKey: config.privateKey!.reveal(),
        baseUrl: config.githubApiUrl,
        log,
      })
    : undefined;
  const worker = await startAgentWorker({
    connection: { url: config.redisUrl.reveal() },
    queueName,
    concurrency,
    // Only an explicit setting changes the queue's cap: a worker started without it must not reset the deployment's.
    globalConcurrency: io.env.DYNFLOW_MAX_CONCURRENCY?.trim() ? config.caps.maxConcurrency : undefined,
    createRunner: createRunnerFactory({ model, dataDir: config.dataDir, credentials, env: io.env as NodeJS.ProcessEnv, log }),
    lockDurationMs,
    stalledIntervalMs,
    log,
  });
  io.stderr(`dynflow worker: taking agents from queue ${queueName} at ${config.redisUrl.toString()} (${concurrency} at once)\n`);
  deps.onReady?.();

  const reason = await (deps.untilStopped ?? untilSignal)();
  io.stderr(`dynflow worker: ${reason}: stopping (running agents get ${graceSeconds} s, then go back to the queue)\n`);
  await worker.stop(graceSeconds * 1000);
  return 0;
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
