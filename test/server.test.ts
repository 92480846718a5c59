import { createHmac, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import nock from "nock";
import pino from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import dynflowApp, { type AppOptions } from "../src/index.js";
import { API, useNock } from "./github/octokit.js";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const secret = "webhook-secret-for-tests";
const helpBody = readFileSync(new URL("./fixtures/issue_comment.created.help.json", import.meta.url), "utf8");

/** Probot's Server treats port 0 as "use 3000", so ask the OS for a free port first. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

let server: Server | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function startServer(options: AppOptions = {}): Promise<string> {
  const log = pino({ level: "silent" });
  const port = await freePort();
  server = new Server({
    host: "127.0.0.1",
    port,
    log,
    Probot: Probot.defaults({
      appId: 123,
      privateKey,
      secret,
      log,
      Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
    }),
  });
  await server.load((app, probotOptions) => dynflowApp(app, { ...probotOptions, appSlug: "dynflow-app", ...options }));
  await server.start();
  return `http://127.0.0.1:${port}`;
}

function sign(body: string, key = secret): string {
  return `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
}

function deliver(base: string, body: string, signature: string): Promise<Response> {
  return fetch(`${base}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      "x-hub-signature-256": signature,
    },
    body,
  });
}

describe("the HTTP server with dynflow loaded", () => {
  useNock();

  it("accepts a signed issue_comment.created delivery and replies on the issue", async () => {
    const base = await startServer();
    const tokens = nock(API).post("/app/installations/77/access_tokens").reply(201, { token: "ghs_installation", expires_at: "2099-01-01T00:00:00Z" });
    let posted: { body?: string } = {};
    const reply = nock(API)
      .post("/repos/acme/widgets/issues/42/comments", (body: { body?: string }) => {
        posted = body;
        return true;
      })
      .reply(201, { id: 1 });

    const response = await deliver(base, helpBody, sign(helpBody));
    expect(response.status).toBe(200);
    expect(posted.body).toContain("**dynflow commands**");
    expect(tokens.isDone()).toBe(true);
    expect(reply.isDone()).toBe(true);
  });

  it("rejects a delivery signed with another secret, without calling GitHub", async () => {
    const base = await startServer();
    const response = await deliver(base, helpBody, sign(helpBody, "not-the-secret"));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("rejects a delivery whose body was changed after signing", async () => {
    const base = await startServer();
    const tampered = helpBody.replace("/dynflow help", "/dynflow run rm -rf");
    const response = await deliver(base, tampered, sign(helpBody));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it("answers GET /healthz with 200 JSON", async () => {
    const base = await startServer();
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ status: "ok" });
    const head = await fetch(`${base}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("reports the injected health facts, and 503 when the check fails", async () => {
    let healthy = true;
    const base = await startServer({
      health: async () => {
        if (!healthy) throw new Error("database unreachable at postgres://user:pw@db");
        return { queue: "in-process" };
      },
    });
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ queue: "in-process", status: "ok" });
    healthy = false;
    const failing = await fetch(`${base}/healthz`);
    expect(failing.status).toBe(503);
    expect(await failing.text()).toBe('{"status":"unavailable"}');
  });

  it("leaves other paths to Probot", async () => {
    const base = await startServer();
    expect((await fetch(`${base}/healthz/extra`)).status).toBe(404);
    expect((await fetch(`${base}/ping`)).status).toBe(200);
  });
});
