/**
 * The real Redis for queue tests: `REDIS_URL` when set, else a local server.
 * Every test uses queue names of its own and deletes their keys afterwards.
 * Without a server the tests are skipped with a message, except in CI, where
 * they fail.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { REDIS_URL, deleteQueueKeys, redisAnswers } from "./redis-server.js";

export { REDIS_URL, deleteQueueKeys };



const available = await redisAnswers();

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
