/**
 * Probot's Octokit as dynflow's processes build it (`appOctokit()`), over
 * real HTTP to a local server: GitHub's redirects are followed as fetch
 * follows them, and the installation's token never follows a redirect to
 * another host (a job's log lives on blob storage).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { Probot } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { appOctokit } from "../../src/github/app-octokit.js";

const TOKEN = "ghs_testtoken000000000000000000000000";
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function client(baseUrl: string, Octokit = appOctokit()) {
  const probot = new Probot({ githubToken: TOKEN, Octokit, baseUrl, log: pino({ level: "silent" }) });
  return probot.auth(42);
}

describe("appOctokit over HTTP", () => {
  it("follows GitHub's redirect for a renamed repository, with the token", async () => {
    const seen: string[] = [];
    const api = await serve((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      if (req.url === "/repos/acme/old-name") json(res, 301, { message: "Moved Permanently", url: "/repositories/7" }, { location: "/repositories/7" });
      else json(res, 200, { id: 7, full_name: "acme/new-name" });
    });
    const octokit = await client(api);
    const { data, url } = await octokit.rest.repos.get({ owner: "acme", repo: "old-name" });
    expect(data).toMatchObject({ id: 7, full_name: "acme/new-name" });
    expect(url).toBe(`${api}/repositories/7`);
    expect(seen).toEqual([`GET /repos/acme/old-name token ${TOKEN}`, `GET /repositories/7 token ${TOKEN}`]);
  });

  it("does not send the token to the host a job's log redirects to", async () => {
    const blob: Array<string | undefined> = [];
    const storage = await serve((req, res) => {
      blob.push(req.headers.authorization);
      res.writeHead(206, { "content-type": "text/plain" });
      res.end("the log's last lines");
    });
    const api = await serve((_req, res) => {
      res.writeHead(302, { location: `${storage}/logs/9?sig=abc` });
      res.end();
    });
    const octokit = await client(api);
    const { data } = await octokit.rest.actions.downloadJobLogsForWorkflowRun({ owner: "acme", repo: "widgets", job_id: 9, headers: { range: "bytes=-100" } });
    expect(data).toBe("the log's last lines");
    expect(blob).toEqual([undefined]);
  });

  it("uses a fetch its caller gives instead of its own", async () => {
    const api = await serve((_req, res) => json(res, 200, { id: 1 }));
    const calls: string[] = [];
    const Octokit = appOctokit().defaults({
      request: {
        fetch: (url: string, init: RequestInit) => {
          calls.push(url);
          return fetch(url, init);
        },
      },
    });
    const octokit = await client(api, Octokit);
    await octokit.rest.repos.get({ owner: "acme", repo: "widgets" });
    expect(calls).toEqual([`${api}/repos/acme/widgets`]);
  });
});
