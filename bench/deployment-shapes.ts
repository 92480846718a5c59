/** The deployment shapes a benchmark can measure on this machine, and their names in its figures. */
import { postgresAnswers, type DeploymentOptions } from "../test/durability/deployment.js";
import { redisAnswers } from "../test/queue/redis-server.js";

export type Shape = DeploymentOptions["shape"];

/**
 * One process always; web + 2 workers when Redis and PostgreSQL answer (said on the console when they do not).
 * `DYNFLOW_BENCH_SHAPE=embedded` or `=scaled` measures that shape alone, e.g. to profile its processes.
 */
export async function availableShapes(): Promise<Shape[]> {
  const only = process.env.DYNFLOW_BENCH_SHAPE;
  if (only !== undefined && only !== "embedded" && only !== "scaled") throw new Error(`DYNFLOW_BENCH_SHAPE must be embedded or scaled, not ${only}`);
  if (only === "embedded") return ["embedded"];
  if ((await redisAnswers()) && (await postgresAnswers())) return only === "scaled" ? ["scaled"] : ["embedded", "scaled"];
  console.log("scaled shape skipped: needs Redis (REDIS_URL) and PostgreSQL (DATABASE_URL)");
  return only === "scaled" ? [] : ["embedded"];
}

export function shapeLabel(shape: Shape): string {
  return shape === "embedded" ? "one process" : "web + 2 workers";
}
