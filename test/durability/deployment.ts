/**
 * The two deployment shapes of docs/deploy.md, started as real processes for
 * tests and the scale benchmark:
 * - `embedded`: one web process, SQLite in its data directory, no Redis;
 * - `scaled`: a web process that only receives webhooks and enqueues, and
 *   `dynflow worker`s taking run steps and agents, sharing PostgreSQL (a
 *   fresh schema) and Redis (queue names of their own).
 * The test's process keeps a store handle on the same database to watch runs.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { openStore, type Store } from "../../src/store/index.js";
import type { FakeAnthropic } from "../fakes/fake-anthropic.js";
import type { FakeGitHubServer } from "../fakes/fake-github-server.js";
import { deleteQueueKeys, REDIS_URL } from "../queue/redis-server.js";
import { appEnv, freePort, startAppProcess, type AppProcess } from "./app-processes.js";

export { REDIS_URL };

export const DATABASE_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

export interface DeploymentOptions {
  shape: "embedded" | "scaled";
  github: FakeGitHubServer;
  model: FakeAnthropic;
  /** A temp directory for data directories. */
  work: string;
  /** Workers of the scaled shape. Default 2. */
  workers?: number;
  /** Agents each worker runs at once. Default 4. */
  workerConcurrency?: number;
  /** More environment for every process (caps, log level). */
  env?: Record<string, string>;
  /** The scaled shape's Redis. Default `REDIS_URL` (the shared server). */
  redisUrl?: string;
}

export interface Deployment {
  readonly port: number;
  /** The current web process (a new one after `restartWeb`). */
  readonly web: AppProcess;
  readonly workers: readonly AppProcess[];
  /** The test's own handle on the deployment's store. */
  readonly store: Store;
  /** The agents queue's name in the scaled shape (null when embedded). */
  readonly agentQueue: string | null;
  /** The model API key of each process, by process name (`web`, `worker 1`, ...). */
  readonly apiKeys: Readonly<Record<string, string>>;
  /** Stops the web process with `signal` (a deploy: SIGTERM) and starts a new one with the same environment. */
  restartWeb(signal?: NodeJS.Signals): Promise<AppProcess>;
  close(): Promise<void>;
}

/** Starts the shape; resolves once every process takes webhooks or jobs. */
export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const port = await freePort();
  const tag = randomBytes(4).toString("hex");
  const apiKeys: Record<string, string> = { web: `sk-web-${tag}` };
  const base = (name: string, dataDir: string) =>
    appEnv({ github: options.github, model: options.model, dataDir, port, extra: { ...options.env, ANTHROPIC_API_KEY: apiKeys[name]! } });

  if (options.shape === "embedded") {
    const dataDir = join(options.work, `embedded-${tag}`);
    const env = base("web", dataDir);
    let web = await startAppProcess("web", "app", env);
    const store = await openStore({ sqlitePath: join(dataDir, "dynflow.db") });
    return {
      port,
      get web() {
        return web;
      },
      workers: [],
      store,
      agentQueue: null,
      apiKeys,
      async restartWeb(signal = "SIGTERM") {
        await web.stop(signal);
        web = await startAppProcess("web", "app", env);
        return web;
      },
      async close() {
        await web.stop();
        await store.close();
      },
    };
  }

  const schema = await createSchema(`dynflow_deploy_${tag}`);
  const queues = { agents: `dynflow-test-agents-${tag}`, runs: `dynflow-test-runs-${tag}` };
  const redisUrl = options.redisUrl ?? REDIS_URL;
  const shared = { DATABASE_URL: schema.url, REDIS_URL: redisUrl, TEST_AGENT_QUEUE: queues.agents, TEST_RUN_QUEUE: queues.runs };
  const processes: AppProcess[] = [];
  let store: Store | undefined;
  try {
    const webEnv = { ...base("web", join(options.work, `web-${tag}`)), ...shared };
    let web = await startAppProcess("web", "app", webEnv);
    processes.push(web);
    const flags = ["--queue", queues.agents, "--run-queue", queues.runs, "--concurrency", String(options.workerConcurrency ?? 4), "--shutdown-grace", "2"];
    const workers = await Promise.all(
      Array.from({ length: options.workers ?? 2 }, (_, i) => {
        const name = `worker ${i + 1}`;
        apiKeys[name] = `sk-worker-${i + 1}-${tag}`;
        return startAppProcess(name, "worker", { ...base(name, join(options.work, `worker-${i + 1}-${tag}`)), ...shared }, flags);
      }),
    );
    processes.push(...workers);
    store = await openStore({ url: schema.url, maxConnections: 2 });
    const opened = store;
    return {
      port,
      get web() {
        return web;
      },
      workers,
      store: opened,
      agentQueue: queues.agents,
      apiKeys,
      async restartWeb(signal = "SIGTERM") {
        await web.stop(signal);
        web = await startAppProcess("web", "app", webEnv);
        processes.push(web);
        return web;
      },
      async close() {
        await Promise.all(processes.map((child) => child.stop()));
        await opened.close();
        await schema.drop();
        await deleteQueueKeys(queues.agents, redisUrl).catch(() => undefined);
        await deleteQueueKeys(queues.runs, redisUrl).catch(() => undefined);
      },
    };
  } catch (error) {
    await Promise.all(processes.map((child) => child.stop("SIGKILL")));
    await store?.close();
    await schema.drop();
    throw error;
  }
}

/** A new schema in the database of `DATABASE_URL`, and a URL whose connections use it. */
export async function createSchema(schema: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema ${schema}`);
  const url = new URL(DATABASE_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => admin(`drop schema if exists ${schema} cascade`) };
}

/** Whether a PostgreSQL server answers at `DATABASE_URL`. */
export async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

