/**
 * `npm start` (src/server.ts) as a new user runs it: in a directory with a
 * `.env`, without App credentials, so Probot's setup flow serves the page that
 * registers the App. Checks that the environment wins over `.env` for Probot
 * as for dynflow, and that the setup flow creates a webhook proxy channel for
 * local development, as docs/deploy.md says. smee.io is played by a local TLS
 * server reached through a local HTTPS proxy (smee-client honours
 * `HTTPS_PROXY`), with a certificate made for the test.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { connect, createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDir, tempDir, testGitEnv } from "./workspace/git-fixture.js";

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHANNEL = "https://smee.io/dynflow-test-channel";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function listen(server: HttpServer | HttpsServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

describe("npm start without App credentials (the setup flow)", () => {
  let dir: string;
  let smee: HttpsServer;
  let proxy: HttpServer;
  let child: ChildProcess;
  let stdout = "";
  let port: number;
  const tunnels: string[] = [];

  beforeAll(async () => {
    dir = await tempDir("dynflow-setup-");
    await exec("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=smee.io",
      "-addext", "subjectAltName=DNS:smee.io", "-keyout", join(dir, "smee.key"), "-out", join(dir, "smee.crt"),
    ]);
    smee = createHttpsServer({ key: await readFile(join(dir, "smee.key")), cert: await readFile(join(dir, "smee.crt")) }, (req, res) => {
      if (req.url === "/new") res.writeHead(307, { location: CHANNEL }).end();
      else res.writeHead(404).end();
    });
    const smeePort = await listen(smee);
    proxy = createHttpServer((_req, res) => res.writeHead(403).end());
    proxy.on("connect", (req, socket) => {
      tunnels.push(req.url ?? "");
      if (req.url !== "smee.io:443") return socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      const upstream = connect(smeePort, "127.0.0.1", () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
    });
    const proxyPort = await listen(proxy);

    await copyFile(join(ROOT, "app.yml"), join(dir, "app.yml"));
    await copyFile(join(ROOT, "package.json"), join(dir, "package.json"));
    await writeFile(join(dir, ".env"), "GH_ORG=org-from-dot-env\nLOG_LEVEL=info\n");
    port = await freePort();
    const env = testGitEnv();
    for (const key of Object.keys(env)) {
      if (/^(DYNFLOW_|ANTHROPIC_|GHE_|GH_|APP_ID|PRIVATE_KEY|WEBHOOK_|DATABASE_URL|REDIS_URL|NODE_ENV|PORT|HOST|LOG_|NO_SMEE|PROJECT_DOMAIN|CI$|.*_PROXY$)/i.test(key)) delete env[key];
    }
    const tsx = join(ROOT, "node_modules/tsx/dist/loader.mjs");
    child = spawn(process.execPath, ["--import", tsx, join(ROOT, "src/server.ts")], {
      cwd: dir,
      env: {
        ...env,
        GH_ORG: "org-from-environment",
        HOST: "127.0.0.1",
        PORT: String(port),
        HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
        NODE_EXTRA_CA_CERTS: join(dir, "smee.crt"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  }, 30_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    smee?.close();
    proxy?.close();
    await removeDir(dir);
  });

  /** The setup page, once the server answers (it registers its routes after the channel is made). */
  async function setupPage(): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const page = await fetch(`http://127.0.0.1:${port}/probot`).then((response) => (response.ok ? response.text() : null), () => null);
      if (page !== null) return page;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not serve its setup page:\n${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("creates a webhook proxy channel, registers it as the hook URL and keeps it in .env; the environment wins over .env", async () => {
    const page = await setupPage();
    // Probot's setup page and dynflow's own configuration agree: the environment's organization.
    expect(page).toContain("https://github.com/organizations/org-from-environment/settings/apps/new");
    const configured = stdout.split("\n").find((line) => line.includes('"configuration loaded"'));
    expect(JSON.parse(configured ?? "{}")).toMatchObject({ config: { githubOrg: "org-from-environment" } });

    expect(tunnels).toContain("smee.io:443");
    expect(page).toContain(`"url":"${CHANNEL}"`);
    expect(await readFile(join(dir, ".env"), "utf8")).toContain(`WEBHOOK_PROXY_URL=${CHANNEL}`);
    expect(stdout).not.toContain("SmeeClient is not available");
  }, 40_000);
});
