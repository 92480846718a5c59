/** The deployment shapes a benchmark can measure on this machine, and their names in its figures. */
import { postgresAnswers, type DeploymentOptions } from "../test/durability/deployment.js";
import { redisAnswers } from "../test/queue/redis-server.js";

export type Shape = DeploymentOptions["shape"];

/** One process always; web + 2 workers when Redis and PostgreSQL answer (said on the console when they do not). */
export async function availableShapes(): Promise<Shape[]> {
  if ((await redisAnswers()) && (await postgresAnswers())) return ["embedded", "scaled"];
  console.log("scaled shape skipped: needs Redis (REDIS_URL) and PostgreSQL (DATABASE_URL)");
  return ["embedded"];
}

export function shapeLabel(shape: Shape): string {
  return shape === "embedded" ? "one process" : "web + 2 workers";
}
