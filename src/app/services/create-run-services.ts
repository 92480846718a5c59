/**
 * Builds the services runs share, in one place, from the configuration:
 * the store (SQLite in the data directory, or PostgreSQL with
 * `DATABASE_URL`), the run and agent queues (`openRunQueues`), the cancel
 * registry, the model client factory (null without `ANTHROPIC_API_KEY`), the
 * clock and run ids.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { AppConfig } from "../../config/load-env.js";
import { systemClock, type Clock } from "../../time.js";
import { openStore } from "../../store/index.js";
import { createCancelRegistry } from "../steps/cancel-registry.js";
import { newProcessId } from "../steps/run-lease.js";
import { createModelFactory } from "./create-model-factory.js";
import { openRunQueues, type RunQueuesOptions } from "./open-run-queues.js";
import { warmUpScripts } from "../../runtime/warm-up.js";
import { warmUpCommands } from "./warm-up-commands.js";
import { prepareGitLauncher } from "../../workspace/index.js";
import { createAppTranscriptRecorder } from "../../transcripts/create-app-transcript-recorder.js";
import type { RunServices } from "./types.js";

export interface CreateRunServicesOptions extends Omit<RunQueuesOptions, "clock"> {
  clock?: Clock;
  /** Source of random bytes for run ids and the process id. */
  randomBytes?: (size: number) => Buffer;
}

/** The longest a start waits for its warm-ups (`warmUpCommands`, `warmUpScripts`). */
const WARM_UP_WAIT_MS = 5_000;

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** `r-` and 10 random lowercase letters and digits (about 51 bits). */
export function createRunIdGenerator(random: (size: number) => Buffer = randomBytes): () => string {
  return () => `r-${[...random(10)].map((byte) => ALPHABET[byte % ALPHABET.length]).join("")}`;
}

/** Opens the store and the queues and builds every shared service. Close them with `closeRunServices` on shutdown. */
export async function createRunServices(config: AppConfig, log: Logger, options: CreateRunServicesOptions = {}): Promise<RunServices> {
  const clock = options.clock ?? systemClock;
  const random = options.randomBytes ?? randomBytes;
  const store = await openStore({ url: config.databaseUrl?.reveal() ?? null, sqlitePath: join(config.dataDir, "dynflow.db"), clock, log });
  const apiKey = config.anthropicApiKey;
  const baseURL = config.anthropicBaseUrl ?? undefined;
  const { queue, agents, shared } = await openRunQueues(config, log, { ...options, clock }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  // A process is ready once the code its first command and (when it takes run steps) its first run go through is
  // compiled, and its git launcher runs, not in their way: about a third of a second, bounded, so a sandbox that
  // cannot start does not hold it up.
  const runsSteps = !shared || options.takeRunJobs === true;
  const warmUps = [warmUpCommands(), ...(runsSteps ? [warmUpScripts({ runsAtOnce: config.caps.maxConcurrentRuns }), prepareGitLauncher()] : [])];
  await Promise.race([Promise.all(warmUps), delay(WARM_UP_WAIT_MS, undefined, { ref: false })]);
  if (config.redisUrl !== null) log.info({ runSteps: shared ? "shared queue" : "this process" }, "REDIS_URL is set: agents run on workers");
  return {
    store,
    queue,
    agents,
    cancels: createCancelRegistry(),
    createModel: apiKey === null ? null : createModelFactory({ apiKey: apiKey.reveal(), baseURL, clock, log }),
    caps: config.caps,
    prices: config.prices,
    dataDir: config.dataDir,
    // The noreply address names the host without a port.
    githubHost: config.gheHost?.replace(/:\d+$/, "") ?? "github.com",
    clock,
    newRunId: createRunIdGenerator(random),
    // Unique per start in both shapes: a restarted process takes over its predecessor's runs because that process is gone, never because it has the same name.
    processId: newProcessId(random),
    log,
    transcripts: createAppTranscriptRecorder(store, config, log),
    transcriptRetentionMs: config.transcripts.retentionMs,
    changeRetentionMs: config.changeRetentionMs,
    ciSweepMs: config.ciSweepMs,
  };
}

/** Stops taking run steps (waiting for running ones), then closes the queues' connections and the store. */
export async function closeRunServices(services: Pick<RunServices, "queue" | "agents" | "store" | "transcripts">): Promise<void> {
  try {
    await services.transcripts?.close();
    await services.queue.close();
    if (services.agents?.kind === "queue") await services.agents.queue.close();
  } finally {
    await services.store.close();
  }
}
