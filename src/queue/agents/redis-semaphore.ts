/**
 * A counting semaphore in Redis shared by every process: at most `limit`
 * holders at once. Holders are members of a sorted set scored by when they
 * expire; a holder renews itself while it lives, so the slots of a process
 * that died free themselves after `ttlMs`. Time is Redis's own (`TIME`), so
 * the clocks of the machines do not matter.
 */
import type { Redis } from "ioredis";
import { backgroundTimers, repeatEvery, sleep, type Timers } from "../../time.js";
import { checkInteger } from "../errors.js";

export interface RedisSemaphoreOptions {
  redis: Redis;
  key: string;
  limit: number;
  /** A holder expires this long after it last took or renewed its slot. Default 60,000 ms. */
  ttlMs?: number;
  /** How often a blocked `acquire` tries again. Default 250 ms. */
  retryMs?: number;
  /** Timers of the retries and renewals. Default: the global ones, never keeping the process alive. */
  timers?: Timers;
}

/** A held slot. */
export interface SemaphoreLease {
  readonly holder: string;
  /** Gives the slot back (idempotent). */
  release(): Promise<void>;
}

// Takes or refreshes the holder's slot when it holds one already or one is free. Returns 1 when held.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
  return 1
end
return 0`;

// Holders whose slot has not expired.
const COUNT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`;

export class RedisSemaphore {
  readonly limit: number;
  private readonly ttlMs: number;
  private readonly retryMs: number;
  private readonly timers: Timers;

  constructor(private readonly options: RedisSemaphoreOptions) {
    this.limit = checkInteger("limit", options.limit, 1);
    this.ttlMs = checkInteger("ttlMs", options.ttlMs ?? 60_000, 100);
    this.retryMs = checkInteger("retryMs", options.retryMs ?? 250, 1);
    this.timers = options.timers ?? backgroundTimers;
  }

  /** Takes a slot for `holder` if one is free (or `holder` has one); true when held. */
  async tryAcquire(holder: string): Promise<boolean> {
    const taken = await this.options.redis.eval(TAKE, 1, this.options.key, holder, this.limit, this.ttlMs);
    return taken === 1;
  }

  /**
   * Waits for a slot (polling every `retryMs`) and keeps it renewed until
   * released. Rejects with the signal's reason when `signal` aborts first.
   * A holder id that already holds a slot (an owner re-attaching after a
   * crash) takes it over instead of taking a second one. While Redis cannot
   * be reached, it keeps trying.
   */
  async acquire(holder: string, signal?: AbortSignal): Promise<SemaphoreLease> {
    // Redis being away (a restart) is waited out like a full semaphore: the signal bounds the wait.
    while (!(await this.tryAcquire(holder).catch(() => false))) {
      signal?.throwIfAborted();
      await sleep(this.retryMs, { timers: this.timers, signal });
    }
    let released = false;
    const renew = repeatEvery(
      Math.max(1, Math.floor(this.ttlMs / 3)),
      () => {
        // Renewing is taking again: a slot that expired meanwhile is retaken when one is free.
        this.tryAcquire(holder).catch(() => undefined);
      },
      this.timers,
    );
    return {
      holder,
      release: async () => {
        if (released) return;
        released = true;
        renew.stop();
        await this.options.redis.zrem(this.options.key, holder);
      },
    };
  }

  /** Holders right now (expired ones not counted). */
  async count(): Promise<number> {
    return Number(await this.options.redis.eval(COUNT, 1, this.options.key));
  }
}
