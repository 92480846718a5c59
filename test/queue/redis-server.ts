/**
 * The real Redis the tests and the scale benchmark talk to: `REDIS_URL` when
 * set, else a local server. No test framework here, so benchmarks can use it.
 */
import { Redis } from "ioredis";

export const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

/** Whether a Redis server answers PING at `url` (default: the tests' shared server). */
export async function redisAnswers(url: string = REDIS_URL): Promise<boolean> {
  // A refused connection fails at once; a loaded machine can take seconds to answer a server that is there,
  // and a short timeout would then skip every Redis test as if there were no server.
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 15_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
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

/** Deletes every key of the queue (BullMQ's and dynflow's). */
export async function deleteQueueKeys(queueName: string, url: string = REDIS_URL): Promise<void> {
  const client = new Redis(url);
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
