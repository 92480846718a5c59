/**
 * An HTTP proxy in front of a fake server that holds the requests a test
 * picks until it lets them through: a process is then known to be in the
 * middle of its work (between two calls) when the test kills it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HoldingProxy {
  /** `127.0.0.1:<port>`, for `GHE_HOST`. */
  readonly host: string;
  /** Requests held now. */
  readonly held: number;
  /** Lets every held request through, and every later one. */
  release(): void;
  close(): Promise<void>;
}

/** Proxies to `target` (`host:port`), holding requests for which `hold(method, path)` is true. */
export async function startHoldingProxy(target: string, hold: (method: string, path: string) => boolean): Promise<HoldingProxy> {
  let released = false;
  let waiting: (() => void)[] = [];
  let held = 0;
  const [targetHost, targetPort] = target.split(":");

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const upstream = httpRequest({ host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    upstream.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (released || !hold(req.method ?? "GET", req.url ?? "/")) return forward(req, res, body);
      held++;
      waiting.push(() => {
        held--;
        if (!res.destroyed) forward(req, res, body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const release = () => {
    released = true;
    const go = waiting;
    waiting = [];
    for (const next of go) next();
  };
  return {
    host: `127.0.0.1:${port}`,
    get held() {
      return held;
    },
    release,
    async close() {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
