/**
 * Which queues a process gets from its configuration: everything in process
 * without Redis; agents on the Redis queue with it; run steps on Redis too
 * only when the store is shared. And which workers take run steps.
 */
import { Queue } from "bullmq";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { openRunQueues, takesRunSteps } from "../../../src/app/services/open-run-queues.js";
import { loadEnv } from "../../../src/config/load-env.js";
import { deleteQueueKeys, describeWithRedis, REDIS_URL, uniqueQueueName } from "../../queue/redis-harness.js";

const log = pino({ level: "silent" });
const APP = { APP_ID: "123", PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----", WEBHOOK_SECRET: "secret" };
const config = (env: Record<string, string>) => loadEnv({ DYNFLOW_DATA_DIR: "/tmp/dynflow-queues-test", ...env });

describe("openRunQueues without Redis", () => {
  it("keeps run steps and agents in the process, under caps from the configuration", async () => {
    const queues = await openRunQueues(config({ DYNFLOW_MAX_CONCURRENCY: "3", DYNFLOW_MAX_CONCURRENCY_PER_INSTALLATION: "2" }), log);
    try {
      expect(queues.shared).toBe(false);
      if (queues.agents.kind !== "process") throw new Error("expected agents in the process");
      expect(queues.agents.caps.global?.limit).toBe(3);
      expect(queues.agents.caps.installation(77)?.limit).toBe(2);
      // One semaphore per installation, shared by all its runs.
      expect(queues.agents.caps.installation(77)).toBe(queues.agents.caps.installation(77));
    } finally {
      await queues.queue.close();
    }
  });
});

describe("takesRunSteps", () => {
  it("needs the App's credentials, the shared database and Redis", () => {
    const shared = { DATABASE_URL: "postgres://db/dynflow", REDIS_URL: "redis://redis:6379" };
    expect(takesRunSteps(config({ ...APP, ...shared }))).toBe(true);
    expect(takesRunSteps(config(shared))).toBe(false);
    expect(takesRunSteps(config({ ...APP, REDIS_URL: shared.REDIS_URL }))).toBe(false);
    expect(takesRunSteps(config({ ...APP, DATABASE_URL: shared.DATABASE_URL }))).toBe(false);
  });
});

describeWithRedis("openRunQueues with Redis", () => {
  it("sends agents to the Redis queue, and keeps run steps in the process while the store is not shared", async () => {
    const agentQueueName = uniqueQueueName("open-agents");
    const queues = await openRunQueues(config({ REDIS_URL, DYNFLOW_MAX_CONCURRENCY_PER_INSTALLATION: "5" }), log, { agentQueueName });
    try {
      expect(queues.shared).toBe(false);
      expect(queues.agents).toMatchObject({ kind: "queue", perInstallation: 5, queue: { name: agentQueueName } });
    } finally {
      await queues.queue.close();
      if (queues.agents.kind === "queue") await queues.agents.queue.close();
      await deleteQueueKeys(agentQueueName);
    }
  });

  it("shares run steps through Redis with a shared store, and writes the agents cap only when asked", async () => {
    const agentQueueName = uniqueQueueName("open-agents");
    const runQueueName = uniqueQueueName("open-runs");
    const env = { REDIS_URL, DATABASE_URL: "postgres://db/dynflow", DYNFLOW_MAX_CONCURRENCY: "6" };
    const probe = new Queue(agentQueueName, { connection: { url: REDIS_URL } });
    try {
      for (const setAgentCap of [false, true]) {
        const queues = await openRunQueues(config(env), log, { agentQueueName, runQueueName, setAgentCap });
        try {
          expect(queues.shared).toBe(true);
          // The second process finds the step the first one queued.
          expect(await queues.queue.enqueue({ runId: "r-open", step: "plan" })).toBe(!setAgentCap);
          expect(await probe.getGlobalConcurrency()).toBe(setAgentCap ? 6 : null);
        } finally {
          await queues.queue.close();
          if (queues.agents.kind === "queue") await queues.agents.queue.close();
        }
      }
      // The step went to Redis, where any process sees it.
      const runs = new Queue(runQueueName, { connection: { url: REDIS_URL } });
      expect(await runs.getJobCounts("waiting")).toEqual({ waiting: 1 });
      await runs.close();
    } finally {
      await probe.close();
      await deleteQueueKeys(agentQueueName);
      await deleteQueueKeys(runQueueName);
    }
  });
});
