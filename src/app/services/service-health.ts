/**
 * The parts `/healthz` checks for a process with run services: the store
 * (SQLite or PostgreSQL), and Redis when the queues live there. A process
 * whose store or Redis does not answer takes webhooks it cannot keep, so it
 * says so (503) and names the part.
 */
import type { HealthParts } from "../../http/create-health-handler.js";
import type { RunServices } from "./types.js";

export function serviceHealth(services: Pick<RunServices, "store" | "agents">): HealthParts {
  const parts: HealthParts = { store: () => services.store.ping() };
  const agents = services.agents;
  if (agents?.kind === "queue") {
    parts.redis = async () => {
      await agents.queue.redis.ping();
    };
  }
  return parts;
}
