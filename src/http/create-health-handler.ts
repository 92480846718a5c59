/**
 * `GET /healthz` for load balancers and container health checks: 200 with a
 * small JSON body while the process serves requests, 503 when an injected
 * check (database, queue) fails. It reports no configuration and no secrets.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Extra facts about the process, e.g. `{ queue: "redis" }`. Throwing means unhealthy. */
export type HealthCheck = () => Promise<Record<string, string | number | boolean>>;

export const HEALTH_PATH = "/healthz";

/** A handler in Probot's server chain: returns true when it answered the request. */
export function createHealthHandler(check?: HealthCheck): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = req.url?.split("?")[0];
    if (path !== HEALTH_PATH || (req.method !== "GET" && req.method !== "HEAD")) return false;
    let status = 200;
    let body: Record<string, unknown> = { status: "ok" };
    try {
      if (check) body = { ...(await check()), status: "ok" };
    } catch {
      // The reason may name hosts or credentials; it belongs in the logs of whoever injected the check.
      status = 503;
      body = { status: "unavailable" };
    }
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : JSON.stringify(body));
    return true;
  };
}
