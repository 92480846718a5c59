/**
 * The deployment-wide agent cap (`DYNFLOW_MAX_CONCURRENCY`) lives in Redis,
 * on the agents queue's meta hash, where BullMQ reads it each time a worker
 * takes a job. A Redis restart without persistence empties it, and BullMQ
 * then starts every job it can: the cap is gone. A process that was given
 * the cap writes it at start and then keeps it there: again whenever its
 * connection is ready after a reconnect, on every tick, and before each job
 * it enqueues. Those writes only fill a missing cap (`HSETNX`), so two
 * processes never fight over its value; only the write at start replaces it.
 */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { backgroundTimers, repeatEvery, type Timers } from "../../time.js";
import { checkInteger } from "../errors.js";

export interface GlobalCapOptions {
  redis: Redis;
  /** BullMQ's meta hash of the queue (`<prefix>:<name>:meta`). */
  metaKey: string;
  limit: number;
  /** How often the cap is checked. Default 1,000 ms. */
  everyMs?: number;
  timers?: Timers;
  log: Logger;
}

export interface GlobalCap {
  readonly limit: number;
  /** Writes the cap back if it is missing; resolves true when it had to. */
  ensure(): Promise<boolean>;
  stop(): void;
}

/** Writes the cap now and keeps it in place until `stop()`. */
export async function keepGlobalCap(options: GlobalCapOptions): Promise<GlobalCap> {
  const limit = checkInteger("globalConcurrency", options.limit, 1);
  const { redis, metaKey, log } = options;
  await redis.hset(metaKey, "concurrency", limit);
  const ensure = async () => {
    const written = (await redis.hsetnx(metaKey, "concurrency", limit)) === 1;
    if (written) log.warn({ limit }, "the deployment-wide agent cap was missing from Redis (a restart without persistence?); written again");
    return written;
  };
  const quietly = () => void ensure().catch(() => undefined);
  redis.on("ready", quietly);
  const tick = repeatEvery(checkInteger("everyMs", options.everyMs ?? 1000, 10), quietly, options.timers ?? backgroundTimers);
  return {
    limit,
    ensure,
    stop() {
      tick.stop();
      redis.off("ready", quietly);
    },
  };
}
