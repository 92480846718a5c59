import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { createBufferedFetch } from "../../src/http/buffered-fetch.js";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

interface TestServer {
  url: string;
  /** Connections the server accepted. */
  sockets: Set<Socket>;
  requests: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: Handler): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests += 1;
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => handler(req, body, res));
  });
  server.on("connection", (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const test: TestServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(test);
  return test;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the fetch to fail");
}

describe("bufferedFetch: requests and responses", () => {
  it("sends the method, headers and body, and returns status, headers and body as a Response", async () => {
    const server = await serve((req, body, res) => {
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.writeHead(201, "Made", { "content-type": "application/json", "request-id": "req_1" });
      res.end(JSON.stringify({ method: req.method, type: req.headers["content-type"], key: req.headers["x-api-key"], body: JSON.parse(body) as unknown }));
    });
    const fetch = createBufferedFetch();
    const response = await fetch(`${server.url}/v1/messages?beta=true`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "k" },
      body: JSON.stringify({ model: "m", text: "ünïcode ✓" }),
    });

    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(response.statusText).toBe("Made");
    expect(response.ok).toBe(true);
    expect(response.headers.get("request-id")).toBe("req_1");
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await response.json()).toEqual({ method: "POST", type: "application/json", key: "k", body: { model: "m", text: "ünïcode ✓" } });
  });

  it("sends bytes as they are and answers an error status without throwing", async () => {
    const server = await serve((_req, body, res) => {
      res.writeHead(529, { "content-type": "text/plain" });
      res.end(`overloaded after ${body}`);
    });
    const response = await createBufferedFetch()(server.url, { method: "POST", body: new TextEncoder().encode("bytes") });
    expect(response.status).toBe(529);
    expect(response.ok).toBe(false);
    expect(await response.text()).toBe("overloaded after bytes");
  });

  it("keeps the connection alive between requests", async () => {
    const server = await serve((_req, _body, res) => res.end("ok"));
    const fetch = createBufferedFetch();
    for (let i = 0; i < 3; i += 1) expect(await (await fetch(server.url)).text()).toBe("ok");
    expect(server.requests).toBe(3);
    expect(server.sockets.size).toBe(1);
  });

  it("decodes a gzip body and drops the headers that described the encoded one", async () => {
    const text = "a compressible body ".repeat(100);
    const server = await serve((_req, _body, res) => {
      const encoded = gzipSync(text);
      res.writeHead(200, { "content-encoding": "gzip", "content-length": String(encoded.length) });
      res.end(encoded);
    });
    const response = await createBufferedFetch()(server.url);
    expect(await response.text()).toBe(text);
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("content-length")).toBeNull();
  });

  it("gives a 204 a null body", async () => {
    const server = await serve((_req, _body, res) => {
      res.writeHead(204);
      res.end();
    });
    const response = await createBufferedFetch()(server.url, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

});

describe("bufferedFetch: redirects, as fetch follows them", () => {
  it("follows a redirect within the origin with the same method and headers, and says where the answer came from", async () => {
    const server = await serve((req, _body, res) => {
      if (req.url === "/repos/old/name") {
        res.writeHead(301, { location: "/repositories/7" });
        res.end("moved");
        return;
      }
      res.end(JSON.stringify({ url: req.url, auth: req.headers.authorization, range: req.headers.range }));
    });
    const response = await createBufferedFetch()(`${server.url}/repos/old/name`, { headers: { authorization: "token t", range: "bytes=-10" } });
    expect(await response.json()).toEqual({ url: "/repositories/7", auth: "token t", range: "bytes=-10" });
    expect(response.url).toBe(`${server.url}/repositories/7`);
    expect(response.redirected).toBe(true);
    expect(server.sockets.size).toBe(1);
  });

  it("turns a POST into a GET without its body after a 303 or a 302, and keeps both after a 307", async () => {
    const seen: string[] = [];
    const server = await serve((req, body, res) => {
      seen.push(`${req.method} ${req.url} ${body} ${req.headers["content-type"] ?? "-"}`);
      const to = { "/303": "/after", "/302": "/after", "/307": "/kept" }[req.url ?? ""];
      if (to !== undefined) {
        res.writeHead(Number(req.url?.slice(1)), { location: to });
        res.end();
        return;
      }
      res.end("done");
    });
    const fetch = createBufferedFetch();
    for (const code of ["303", "302", "307"]) await fetch(`${server.url}/${code}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(seen).toEqual([
      "POST /303 {} application/json",
      "GET /after  -",
      "POST /302 {} application/json",
      "GET /after  -",
      "POST /307 {} application/json",
      "POST /kept {} application/json",
    ]);
  });

  it("drops credentials when a redirect leaves the origin", async () => {
    const elsewhere = await serve((req, _body, res) => res.end(JSON.stringify({ auth: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null, range: req.headers.range })));
    const server = await serve((_req, _body, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/blob?sig=1` });
      res.end();
    });
    const response = await createBufferedFetch()(`${server.url}/logs`, { headers: { authorization: "token secret", cookie: "s=1", range: "bytes=-5" } });
    expect(await response.json()).toEqual({ auth: null, cookie: null, range: "bytes=-5" });
    expect(response.url).toBe(`${elsewhere.url}/blob?sig=1`);
  });

  it("returns the redirect itself with redirect: manual, and fails with redirect: error", async () => {
    const server = await serve((_req, _body, res) => {
      res.writeHead(307, { location: "/elsewhere" });
      res.end();
    });
    const fetch = createBufferedFetch();
    const response = await fetch(server.url, { redirect: "manual" });
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("/elsewhere");
    expect(response.redirected).toBe(false);
    await expect(fetch(server.url, { redirect: "error" })).rejects.toThrow(`fetch failed: ${server.url}/ redirects and redirect is "error"`);
  });

  it("gives up after 20 redirects, and on a redirect to a URL that is not HTTP", async () => {
    let hops = 0;
    const server = await serve((req, _body, res) => {
      hops += 1;
      res.writeHead(302, { location: req.url === "/file" ? "file:///etc/passwd" : `/loop${hops}` });
      res.end();
    });
    const fetch = createBufferedFetch();
    await expect(fetch(`${server.url}/start?page=1`)).rejects.toThrow(`fetch failed: more than 20 redirects from ${server.url}/start`);
    expect(hops).toBe(21);
    await expect(fetch(`${server.url}/file`)).rejects.toThrow("bufferedFetch cannot fetch file: URLs");
  });
});

/** Node sends its agents through a proxy from `proxyEnv` since 24.5. */
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const agentsTakeProxies = major > 24 || (major === 24 && minor >= 5);

describe("bufferedFetch: the environment's proxy, as node's fetch uses it", () => {
  it("goes straight to the server when NODE_USE_ENV_PROXY is not set, whatever HTTP_PROXY says", async () => {
    const proxy = await serve((_req, _body, res) => res.end("from the proxy"));
    const server = await serve((_req, _body, res) => res.end("from the server"));
    const fetch = createBufferedFetch({ env: { HTTP_PROXY: proxy.url, http_proxy: proxy.url } });
    expect(await (await fetch(server.url)).text()).toBe("from the server");
    expect(proxy.requests).toBe(0);
  });

  it.runIf(agentsTakeProxies)("goes through HTTP_PROXY when NODE_USE_ENV_PROXY=1 (node 24.5 and later)", async () => {
    const seen: string[] = [];
    const proxy = await serve((req, _body, res) => {
      seen.push(req.url ?? "");
      res.end("from the proxy");
    });
    const fetch = createBufferedFetch({ env: { NODE_USE_ENV_PROXY: "1", HTTP_PROXY: proxy.url } });
    expect(await (await fetch("http://api.example.invalid/v1/messages")).text()).toBe("from the proxy");
    expect(seen).toEqual(["http://api.example.invalid/v1/messages"]);
  });
});

describe("bufferedFetch: failures", () => {
  it("rejects with fetch's TypeError, the socket's error as its cause, when nothing listens", async () => {
    const server = await serve((_req, _body, res) => res.end());
    const url = server.url;
    await server.close();
    const error = await rejection(createBufferedFetch()(url));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    expect(((error as TypeError).cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });

  it("rejects when the connection closes before the body's end", async () => {
    const server = await serve((_req, _body, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("only part");
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const error = await rejection(createBufferedFetch()(server.url));
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as TypeError).message)).toMatch(/^fetch failed/);
  });

  it("refuses a body longer than the limit and says which limit", async () => {
    const server = await serve((_req, _body, res) => res.end("x".repeat(5000)));
    const error = await rejection(createBufferedFetch({ maxBodyBytes: 1000 })(server.url));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed: the response body is longer than 1000 bytes");
  });

  it("refuses a compressed body that unfolds past the limit, and one that is not what its encoding says", async () => {
    const server = await serve((req, _body, res) => {
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end(req.url === "/bomb" ? gzipSync(Buffer.alloc(100_000)) : Buffer.from("not gzip"));
    });
    const fetch = createBufferedFetch({ maxBodyBytes: 10_000 });
    await expect(fetch(`${server.url}/bomb`)).rejects.toThrow("fetch failed: the decoded response body is longer than 10000 bytes");
    await expect(fetch(`${server.url}/garbage`)).rejects.toThrow("fetch failed: the gzip body could not be decoded");
  });

  it("refuses a URL with credentials in it, as fetch does, and names no query in its errors", async () => {
    const server = await serve((_req, _body, res) => {
      res.writeHead(302, { location: "/next?sig=secret" });
      res.end();
    });
    const fetch = createBufferedFetch();
    await expect(fetch("http://user:pass@127.0.0.1:1/")).rejects.toThrow("bufferedFetch cannot fetch a URL that includes credentials");
    const error = await rejection(fetch(`${server.url}/start?sig=secret`, { redirect: "error" }));
    expect(String(error)).toContain(`${server.url}/start redirects`);
    expect(String(error)).not.toContain("secret");
  });

  it("sends nothing when the signal aborted before the call", async () => {
    const server = await serve((_req, _body, res) => res.end("ok"));
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(createBufferedFetch()(server.url, { signal: controller.signal }));
    expect((error as Error).name).toBe("AbortError");
    expect(server.requests).toBe(0);
  });

  it("stops a request whose answer has not come when the signal aborts, with the signal's reason", async () => {
    const server = await serve(() => {
      // Never answers.
    });
    const controller = new AbortController();
    const pending = rejection(createBufferedFetch()(server.url, { method: "POST", body: "{}", signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect((await pending as Error).name).toBe("AbortError");

    const reason = new Error("run stopped");
    const second = new AbortController();
    const again = rejection(createBufferedFetch()(server.url, { signal: second.signal }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    second.abort(reason);
    expect(await again).toBe(reason);
  });

  it("stops while the body is arriving when the signal aborts", async () => {
    const server = await serve((_req, _body, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("the first part");
    });
    const controller = new AbortController();
    const fetch = createBufferedFetch();
    const pending = rejection(fetch(server.url, { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    expect((await pending as Error).name).toBe("AbortError");
  });

  it("refuses a streamed request body, a Request object and a URL that is not HTTP, saying what it takes", async () => {
    const fetch = createBufferedFetch();
    const stream = new ReadableStream({ start: (controller) => controller.close() });
    await expect(fetch("http://127.0.0.1:1/", { method: "POST", body: stream })).rejects.toThrow("bufferedFetch sends a string or bytes; use the global fetch for a streamed body");
    await expect(fetch(new Request("http://127.0.0.1:1/"))).rejects.toThrow("bufferedFetch takes a URL and options, not a Request");
    await expect(fetch("file:///etc/passwd")).rejects.toThrow("bufferedFetch cannot fetch file: URLs");
  });
});
