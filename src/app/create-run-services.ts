/**
 * Builds the services runs share, in one place, from the configuration:
 * the store (SQLite in the data directory, or PostgreSQL with
 * `DATABASE_URL`), the run queue, the cancel registry, the model client
 * factory (null without `ANTHROPIC_API_KEY`), the clock and run ids.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { createModelClient } from "../agents/model/index.js";
import type { AppConfig } from "../config/load-env.js";
import { systemClock, type Clock } from "../runtime/types.js";
import { openStore } from "../store/index.js";
import { createCancelRegistry } from "./cancel-registry.js";
import { createInProcessRunQueue } from "./run-queue.js";
import type { RunServices } from "./types.js";

export interface CreateRunServicesOptions {
  clock?: Clock;
  /** Source of random bytes for run ids and the process id. */
  randomBytes?: (size: number) => Buffer;
}

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** `r-` and 10 random lowercase letters and digits (about 51 bits). */
export function createRunIdGenerator(random: (size: number) => Buffer = randomBytes): () => string {
  return () => `r-${[...random(10)].map((byte) => ALPHABET[byte % ALPHABET.length]).join("")}`;
}

/** Opens the store and builds every shared service. Close the store (`services.store.close()`) on shutdown. */
export async function createRunServices(config: AppConfig, log: Logger, options: CreateRunServicesOptions = {}): Promise<RunServices> {
  const clock = options.clock ?? systemClock;
  const random = options.randomBytes ?? randomBytes;
  const store = await openStore({ url: config.databaseUrl?.reveal() ?? null, sqlitePath: join(config.dataDir, "dynflow.db"), clock, log });
  const apiKey = config.anthropicApiKey;
  const baseURL = config.anthropicBaseUrl ?? undefined;
  if (config.redisUrl !== null) log.info("REDIS_URL is set: agents may run on workers; runs themselves are queued in this process");
  return {
    store,
    queue: createInProcessRunQueue({ maxConcurrent: config.caps.maxConcurrentRuns, log }),
    cancels: createCancelRegistry(),
    createModel: apiKey === null ? null : ({ prices }) => createModelClient({ apiKey: apiKey.reveal(), ...(baseURL ? { baseURL } : {}), prices, clock, log }),
    caps: config.caps,
    prices: config.prices,
    dataDir: config.dataDir,
    // The noreply address names the host without a port.
    githubHost: config.gheHost?.replace(/:\d+$/, "") ?? "github.com",
    clock,
    newRunId: createRunIdGenerator(random),
    // With the embedded SQLite store there is one process: a restart takes its own leases back at once.
    processId: store.engine === "sqlite" ? "embedded" : `${hostname()}:${process.pid}:${random(4).toString("hex")}`,
    log,
  };
}
