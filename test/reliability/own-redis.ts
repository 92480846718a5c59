/**
 * A redis-server of the test's own, on a free port, with no persistence
 * (as in CI and many deployments): killing it loses everything it held, and
 * starting it again on the same port is a Redis restart. Never the shared
 * server, which every test on the machine uses.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { redisAnswers } from "../queue/redis-server.js";
import { freePort, until } from "../durability/app-processes.js";

export interface OwnRedis {
  readonly url: string;
  /** Kills the server (SIGKILL): every key is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Whether `redis-server` can be started here. */
export function redisServerInstalled(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const answers = () => redisAnswers(url);

  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"], { stdio: "ignore" });
    await until(answers, `redis-server on port ${port}`, 20_000, 50);
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGKILL");
    await exited;
  };

  await start();
  return { url, kill, start, close: kill };
}
