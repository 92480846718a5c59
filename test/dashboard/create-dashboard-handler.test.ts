/**
 * The dashboard's HTTP handler without a browser: the page it shows when it
 * is off, the local mode of `dynflow ui` (no sign-in, loopback host names
 * only, CSRF on controls), and sign-in being required in GitHub mode.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessChecker } from "../../src/dashboard/auth/github-access.js";
import { createDashboardHandler, type DashboardOptions } from "../../src/dashboard/create-dashboard-handler.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly the headers given (fetch would not let a test set Host). */
function call(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("dashboard handler over HTTP", () => {
  let dir: string;
  let store: Store;
  const servers: Server[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "dynflow-handler-"));
    store = await openStore({ sqlitePath: join(dir, "d.db") });
    await store.runs.create({ id: "r1", installationId: 0, owner: "local", repo: "shop", kind: "task", status: "running", task: "Rename the helpers" });
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function serve(mode: DashboardOptions["mode"]): Promise<number> {
    const handler = createDashboardHandler({ store, mode });
    const server = createServer((req, res) => {
      void handler(req, res).then((handled) => {
        if (!handled) res.writeHead(418).end("not the dashboard's");
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }

  it("when off, says so on every page, names what is missing and how to turn it on, and shows no run", async () => {
    const port = await serve({ kind: "off", missing: ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"] });
    for (const path of ["/dashboard/", "/dashboard/runs/r1", "/dashboard/login"]) {
      const page = await call(port, path);
      expect(page.status).toBe(404);
      expect(page.body).toContain("The dashboard is off");
      expect(page.body).toContain("Not set: <code>GITHUB_CLIENT_ID</code>, <code>GITHUB_CLIENT_SECRET</code>");
      expect(page.body).toContain("/dashboard/auth/callback");
      expect(page.body).toContain("docs/dashboard.md");
      expect(page.body).not.toContain("Rename the helpers");
    }
    const posted = await call(port, "/dashboard/runs/r1/cancel", { method: "POST", body: "" });
    expect(posted.status).toBe(404);
    expect(await store.controls.list("r1")).toEqual([]);
    // Its stylesheet is still served, so the page reads well.
    const css = await call(port, "/dashboard/assets/dashboard.css");
    expect(css.status).toBe(200);
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    // Other paths are left to the rest of the server.
    expect((await call(port, "/dashboards")).status).toBe(418);
  });

  it("in GitHub mode, sends a visitor without a session to sign in and refuses a control", async () => {
    const port = await serve({
      kind: "github",
      signIn: { clientId: "Iv1.x", clientSecret: "secret-0123456789", publicUrl: "http://127.0.0.1", apiUrl: "http://127.0.0.1:9", access: createAccessChecker({ apiUrl: "http://127.0.0.1:9" }) },
    });
    const page = await call(port, "/dashboard/runs/r1");
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe("/dashboard/login?next=%2Fdashboard%2Fruns%2Fr1");
    expect(page.body).not.toContain("Rename the helpers");
    const posted = await call(port, "/dashboard/runs/r1/cancel", { method: "POST", body: "" });
    expect(posted.status).toBe(401);
    expect(await store.controls.list("r1")).toEqual([]);
  });

  describe("local mode (dynflow ui)", () => {
    let port: number;
    beforeAll(async () => {
      port = await serve({ kind: "local" });
    });

    it("shows runs without signing in", async () => {
      const runs = await call(port, "/dashboard/", { headers: { host: `127.0.0.1:${port}` } });
      expect(runs.status).toBe(200);
      expect(runs.body).toContain("Rename the helpers");
      expect(runs.body).not.toContain("Sign out");
      for (const host of [`localhost:${port}`, `[::1]:${port}`, "LOCALHOST"]) {
        expect((await call(port, "/dashboard/runs/r1", { headers: { host } })).status).toBe(200);
      }
    });

    it("refuses a host name that only resolves here (DNS rebinding)", async () => {
      for (const host of [`attacker.example:${port}`, `127.0.0.1.attacker.example:${port}`]) {
        const page = await call(port, "/dashboard/runs/r1", { headers: { host } });
        expect(page.status).toBe(403);
        expect(page.body).not.toContain("Rename the helpers");
      }
      const posted = await call(port, "/dashboard/runs/r1/cancel", { method: "POST", headers: { host: "attacker.example" }, body: "" });
      expect(posted.status).toBe(403);
      expect(await store.controls.list("r1")).toEqual([]);
    });

    it("cancels a run with the page's CSRF token, and not without it", async () => {
      const host = `127.0.0.1:${port}`;
      const page = await call(port, "/dashboard/runs/r1", { headers: { host } });
      const token = /name=_csrf value="([^"]+)"/.exec(page.body)?.[1] ?? "";
      expect(token).not.toBe("");
      const form = { "content-type": "application/x-www-form-urlencoded", host };
      const forged = await call(port, "/dashboard/runs/r1/cancel", { method: "POST", headers: form, body: "_csrf=forged" });
      expect(forged.status).toBe(403);
      const crossSite = await call(port, "/dashboard/runs/r1/cancel", { method: "POST", headers: { ...form, origin: "http://attacker.example" }, body: `_csrf=${token}` });
      expect(crossSite.status).toBe(403);
      expect(await store.controls.list("r1")).toEqual([]);
      const done = await call(port, "/dashboard/runs/r1/cancel", { method: "POST", headers: { ...form, origin: `http://${host}` }, body: `_csrf=${token}` });
      expect(done.status).toBe(303);
      expect((await store.controls.list("r1")).map((c) => [c.action, c.requestedBy])).toEqual([["cancel", null]]);
    });
  });
});
