/**
 * The real Redis for queue tests: `REDIS_URL` when set, else a local server.
 * Every test uses queue names of its own and deletes their keys afterwards.
 * Without a server the tests are skipped with a message, except in CI, where
 * they fail.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";

export const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

async function serverAnswers(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const available = await serverAnswers();

/** `describe` for tests that need Redis; see the module comment. */
export function describeWithRedis(name: string, body: () => void): void {
  if (!available && !process.env.CI) {
    const reason = `needs a Redis server: none answers at ${new URL(REDIS_URL).host}; start one or set REDIS_URL`;
    console.warn(`${name} skipped: ${reason}`);
    describe(name, () => it.skip(reason, () => {}));
    return;
  }
  describe(name, () => {
    it("has a Redis server to talk to", () => {
      // In CI a missing server must fail rather than skip.
      expect(available).toBe(true);
    });
    body();
  });
}

/** A queue name no other test (or test run) uses. */
export function uniqueQueueName(label: string): string {
  return `dynflow-test-${label}-${randomBytes(4).toString("hex")}`;
}

/** Deletes every key of the queue (BullMQ's and dynflow's). */
export async function deleteQueueKeys(queueName: string): Promise<void> {
  const client = new Redis(REDIS_URL);
  try {
    for (const pattern of [`bull:${queueName}:*`, `dynflow:${queueName}:*`]) {
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 500);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== "0");
    }
  } finally {
    client.disconnect();
  }
}

/** A plain client for assertions on keys; disconnect it when done. */
export function redisClient(): Redis {
  return new Redis(REDIS_URL);
}

/** Resolves when `predicate` holds, checking every `everyMs`; fails after `timeoutMs` with `what`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
