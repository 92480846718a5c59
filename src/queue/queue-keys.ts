/**
 * Redis keys dynflow writes next to BullMQ's own, and the Redis clients it
 * opens for them. Kept in one place so the owner and the workers agree.
 */
import { Redis } from "ioredis";
import { DEFAULT_KEY_PREFIX } from "./agents/types.js";

/** How to reach Redis: `REDIS_URL` (`redis://` or `rediss://`). */
export interface RedisConnection {
  url: string;
}

/** Keys of one agent queue. */
export interface QueueKeys {
  /** Set when a run is cancelled; workers poll it between turns of that run's agents. */
  cancel(runId: string): string;
  /**
   * The run's stopped agents: a hash from agent id to why it was stopped.
   * Workers poll it like the cancel mark; a resumed run clears it with the
   * cancel mark, so an agent stopped in an earlier execution runs again.
   */
  stops(runId: string): string;
  /** Holders of one installation's slots (a sorted set scored by expiry). */
  installationSlots(installationId: number): string;
}

export function queueKeys(queueName: string, prefix = DEFAULT_KEY_PREFIX): QueueKeys {
  const base = `${prefix}:${queueName}`;
  return {
    cancel: (runId) => `${base}:cancel:${runId}`,
    stops: (runId) => `${base}:stops:${runId}`,
    installationSlots: (installationId) => `${base}:installation:${installationId}`,
  };
}

/**
 * A plain Redis client for dynflow's own keys (BullMQ opens its own
 * connections). Connection errors go to `onError`; ioredis reconnects by itself.
 */
export function openRedis(connection: RedisConnection, onError: (error: Error) => void): Redis {
  const redis = new Redis(connection.url);
  redis.on("error", onError);
  return redis;
}
