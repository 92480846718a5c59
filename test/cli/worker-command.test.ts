/**
 * `dynflow worker` in-process: its usage errors, and what it sets on the
 * queue. (Workers doing real work in their own processes: test/queue/.)
 */
import { Queue } from "bullmq";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { workerCommand } from "../../src/cli/worker-command.js";
import type { CliIo } from "../../src/cli/cli-io.js";
import { deleteQueueKeys, describeWithRedis, REDIS_URL, uniqueQueueName } from "../queue/redis-harness.js";
import { pino } from "pino";

function io(env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const cliIo: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd: process.cwd(), isTty: false, env };
  return { io: cliIo, out, err };
}

describe("dynflow worker: usage", () => {
  it("needs REDIS_URL", async () => {
    const run = io({ ANTHROPIC_API_KEY: "sk-test" });
    expect(await main(["worker"], run.io)).toBe(2);
    expect(run.err.join("")).toContain("REDIS_URL is not set");
  });

  it("needs the model API key", async () => {
    const run = io({ REDIS_URL: "redis://127.0.0.1:6379" });
    expect(await main(["worker"], run.io)).toBe(2);
    expect(run.err.join("")).toContain("ANTHROPIC_API_KEY is not set");
  });

  it("checks its flags", async () => {
    const run = io({ REDIS_URL: "redis://127.0.0.1:6379", ANTHROPIC_API_KEY: "sk-test" });
    expect(await main(["worker", "--concurrency", "0"], run.io)).toBe(2);
    expect(run.err.join("")).toContain("--concurrency must be a whole number from 1 to 4096");
    expect(await main(["worker", "--queue", "a:b"], run.io)).toBe(2);
    expect(await main(["worker", "--run-queue", "runs/1"], run.io)).toBe(2);
    expect(run.err.join("")).toContain('--run-queue must be letters, digits, ".", "_" or "-"; got "runs/1"');
  });

  it("is listed in the help", async () => {
    const run = io({});
    expect(await main(["help", "worker"], run.io)).toBe(0);
    expect(run.out.join("")).toContain("Usage: dynflow worker");
  });
});

describeWithRedis("dynflow worker: the queue", () => {
  let queueName: string;

  afterEach(async () => {
    await deleteQueueKeys(queueName);
  });

  async function runOnce(env: Record<string, string>): Promise<{ code: number; err: string }> {
    const run = io({ REDIS_URL, ANTHROPIC_API_KEY: "sk-test", DYNFLOW_DATA_DIR: "/tmp/dynflow-worker-test", ...env });
    const code = await workerCommand(["--queue", queueName, "--shutdown-grace", "0"], run.io, {
      untilStopped: async () => "test done",
      log: pino({ level: "silent" }),
    });
    return { code, err: run.err.join("") };
  }

  it("sets the deployment's cap on the queue when DYNFLOW_MAX_CONCURRENCY is given, and leaves it alone otherwise", async () => {
    queueName = uniqueQueueName("cmd");
    const queue = new Queue(queueName, { connection: { url: REDIS_URL } });
    try {
      const first = await runOnce({ DYNFLOW_MAX_CONCURRENCY: "7" });
      expect(first.code).toBe(0);
      expect(first.err).toContain(`taking agents from queue ${queueName} at redis://`);
      expect(first.err).toContain("test done: stopping");
      // No App credentials and no shared database: it says it takes agents only.
      expect(first.err).toContain("agents only (run steps need APP_ID, the private key and DATABASE_URL)");
      expect(await queue.getGlobalConcurrency()).toBe(7);

      expect((await runOnce({})).code).toBe(0);
      expect(await queue.getGlobalConcurrency()).toBe(7);
    } finally {
      await queue.close();
    }
  });
});
