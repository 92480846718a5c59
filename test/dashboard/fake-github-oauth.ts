/**
 * GitHub's sign-in and the two API calls the dashboard makes, served over
 * real HTTP on 127.0.0.1 as a GitHub Enterprise Server would lay them out
 * (`/login/oauth/*`, `/api/v3/*`). Each user has a token and a permission per
 * repository; `authorize` signs in whoever the test names, at once.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeOAuth {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  apiUrl: string;
  /** Who the next authorization signs in as. */
  signInAs(login: string): void;
  /** Codes exchanged, with the client id and secret they were exchanged with. */
  exchanges: { code: string; clientId: string; clientSecret: string }[];
  close(): Promise<void>;
}

export async function startFakeOAuth(options: { clientId: string; clientSecret: string; permissions: Record<string, Record<string, "read" | "write">> }): Promise<FakeOAuth> {
  let next = "octocat";
  const codes = new Map<string, string>();
  const exchanges: FakeOAuth["exchanges"] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/login/oauth/authorize") {
      if (url.searchParams.get("client_id") !== options.clientId) return json(400, { error: "bad client" });
      const code = `code-${codes.size + 1}`;
      codes.set(code, next);
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === "/login/oauth/access_token" && req.method === "POST") {
      let body = "";
      req.on("data", (chunk) => (body += String(chunk)));
      req.on("end", () => {
        const params = body.startsWith("{") ? (JSON.parse(body) as Record<string, string>) : Object.fromEntries(new URLSearchParams(body));
        exchanges.push({ code: params.code ?? "", clientId: params.client_id ?? "", clientSecret: params.client_secret ?? "" });
        const login = codes.get(params.code ?? "");
        if (!login || params.client_secret !== options.clientSecret) return json(200, { error: "bad_verification_code" });
        codes.delete(params.code ?? "");
        json(200, { access_token: `token-of-${login}`, token_type: "bearer", scope: "" });
      });
      return;
    }
    const login = /^(?:token|bearer) token-of-(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (!login) return json(401, { message: "Bad credentials" });
    if (url.pathname === "/api/v3/user") return json(200, { login, id: 1 });
    const repo = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (repo) {
      const permission = options.permissions[login]?.[`${repo[1]}/${repo[2]}`];
      if (!permission) return json(404, { message: "Not Found" });
      return json(200, { name: repo[2], permissions: { admin: false, maintain: false, push: permission === "write", triage: permission === "write", pull: true } });
    }
    json(404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiUrl: `${url}/api/v3`,
    signInAs: (login) => {
      next = login;
    },
    exchanges,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
