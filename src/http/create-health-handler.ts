/**
 * `GET /healthz` for load balancers and container health checks: 200 with a
 * small JSON body while the process can serve requests, 503 when a part it
 * depends on (the store, Redis) does not answer, or an injected check fails.
 * The body names each part and its state (`"ok"` or `"down"`) so whoever
 * looks knows what to fix; it reports no configuration and no secrets.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Extra facts about the process, e.g. `{ queue: "redis" }`. Throwing means unhealthy. */
export type HealthCheck = () => Promise<Record<string, string | number | boolean>>;

/** What the process depends on, by name (`store`, `redis`): each resolves when that part answers. */
export type HealthParts = Record<string, () => Promise<void>>;

export const HEALTH_PATH = "/healthz";

/** How long a part may take to answer before it counts as down. */
export const PART_TIMEOUT_MS = 2000;

/** A handler in Probot's server chain: returns true when it answered the request. */
export function createHealthHandler(check?: HealthCheck, parts: HealthParts = {}): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = req.url?.split("?")[0];
    if (path !== HEALTH_PATH || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const [facts, states] = await Promise.all([factsOf(check), statesOf(parts)]);
    const healthy = facts !== null && Object.values(states).every((state) => state === "ok");
    const body = healthy ? { ...facts, ...states, status: "ok" } : { status: "unavailable", ...states };
    res.writeHead(healthy ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : JSON.stringify(body));
    return true;
  };
}

async function factsOf(check: HealthCheck | undefined): Promise<Record<string, string | number | boolean> | null> {
  try {
    return check ? await check() : {};
  } catch {
    // The reason may name hosts or credentials; it belongs in the logs of whoever injected the check.
    return null;
  }
}

async function statesOf(parts: HealthParts): Promise<Record<string, "ok" | "down">> {
  const entries = await Promise.all(
    Object.entries(parts).map(async ([name, ping]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), PART_TIMEOUT_MS);
      });
      try {
        await Promise.race([ping(), timeout]);
        return [name, "ok"] as const;
      } catch {
        return [name, "down"] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}
