/**
 * Bare repositories served over smart HTTP by `git http-backend` (as CGI),
 * with faults: `failNext(n, status)` answers the next n requests with that
 * status instead, as a load balancer in front of GitHub sometimes does.
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>`; a repository `<root>/x.git` is at `<url>/x.git`. */
  readonly url: string;
  /** Requests served, faults included: the service asked for, the client's `User-Agent` (git's is `git/<version>`) and `Authorization`. */
  readonly requests: { method: string; path: string; service: string; status: number; userAgent: string; authorization: string | null }[];
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

export async function startGitHttpServer(root: string): Promise<GitHttpServer> {
  const requests: GitHttpServer["requests"] = [];
  let failing = 0;
  let failStatus = 502;

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://git");
    const service = url.searchParams.get("service") ?? url.pathname.split("/").pop() ?? "";
    const record = { method: req.method ?? "GET", path: url.pathname, service, status: 200, userAgent: req.headers["user-agent"] ?? "", authorization: req.headers.authorization ?? null };
    requests.push(record);
    if (failing > 0) {
      failing--;
      record.status = failStatus;
      req.resume();
      res.writeHead(failStatus, { "content-type": "text/plain" }).end("Bad Gateway\n");
      return;
    }
    const cgi = spawn("git", ["http-backend"], {
      env: {
        ...process.env,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        GIT_CONFIG_COUNT: "1",
        GIT_CONFIG_KEY_0: "http.receivepack",
        GIT_CONFIG_VALUE_0: "true",
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: String(req.headers["content-type"] ?? ""),
        // A large request arrives gzipped (git compresses a long want list), and the protocol version travels in a header.
        ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"]) } : {}),
        ...(req.headers["content-length"] ? { CONTENT_LENGTH: String(req.headers["content-length"]) } : {}),
        ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
        REMOTE_USER: "dynflow",
        REMOTE_ADDR: "127.0.0.1",
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    cgi.on("close", () => {
      const out = Buffer.concat(chunks);
      const split = out.indexOf("\r\n\r\n");
      const head = out.subarray(0, split).toString("utf8");
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.split("\r\n")) {
        const at = line.indexOf(":");
        const name = line.slice(0, at).trim();
        const value = line.slice(at + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      record.status = status;
      res.writeHead(status, headers).end(out.subarray(split + 4));
    });
  };

  const server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failNext(count, status = 502) {
      failing = count;
      failStatus = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
