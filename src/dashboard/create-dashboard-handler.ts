/**
 * The dashboard, as one handler in the app's HTTP server chain (like
 * `/healthz`): pages under `/dashboard/`, live updates as server-sent
 * events, and the controls (cancel a run, stop an agent).
 *
 * Two modes. `github`: sign-in with GitHub through the App's OAuth web flow;
 * a user sees a run only when GitHub says they can read its repository, and
 * controls need write access; every control needs the session's CSRF token.
 * `local` (`dynflow ui`): no sign-in, for runs on this machine, bound to
 * localhost; controls still need the page's CSRF token.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { Octokit } from "@octokit/rest";
import { pino, type Logger } from "pino";
import { backgroundTimers, sleep, systemClock, type Clock, type Timers } from "../time.js";
import type { RunRecord, RunRecordStatus, Store } from "../store/index.js";
import type { AccessChecker, RepoAccess } from "./auth/github-access.js";
import { checkCsrf, cookieHeader, csrfToken, deriveCookieKeys, readCookies, seal, unseal, type CookieKeys } from "./auth/seal-cookie.js";
import { readAgentView, readRunView } from "./read-run-views.js";
import { isFinal } from "./render/run-facts.js";
import { DASHBOARD_CSS, DASHBOARD_JS } from "./render/assets.js";
import { esc } from "./render/html.js";
import { BASE, renderAgentPage, renderMessage, renderRunPage, renderRunsPage, type Viewer } from "./render/render-pages.js";

const SESSION_COOKIE = "dynflow_session";
const STATE_COOKIE = "dynflow_oauth";
/** GitHub App user tokens live eight hours; the session no longer. */
const SESSION_MS = 8 * 3_600_000;
const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const AGENT_ID = /^a[0-9]{1,7}$/;

export interface GitHubSignIn {
  clientId: string;
  clientSecret: string;
  /** Where people reach the app (`DYNFLOW_PUBLIC_URL`), for the callback URL. */
  publicUrl: string;
  /** REST API root; the sign-in pages are on the same host (github.com or GHE). */
  apiUrl: string;
  access: AccessChecker;
  /** Cookie key material; default derived from the client secret. */
  sessionSecret?: string;
}

export interface DashboardOptions {
  store: Store;
  /** `github` with a sign-in; `local` for `dynflow ui`; `off` shows how to turn it on. */
  mode: { kind: "github"; signIn: GitHubSignIn } | { kind: "local" } | { kind: "off"; missing?: readonly string[] };
  clock?: Clock;
  /** Timers of live pages' event polls. Default: background timers. */
  timers?: Timers;
  log?: Logger;
  /** How often a live page's events are read. Default 1,000 ms. */
  eventPollMs?: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

interface Session {
  id: string;
  login: string;
  token: string;
}

/** Creates the handler; see the module comment. */
export function createDashboardHandler(options: DashboardOptions): Handler {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? pino({ level: "silent" });
  const mode = options.mode;
  const keys: CookieKeys = deriveCookieKeys(mode.kind === "github" ? (mode.signIn.sessionSecret ?? mode.signIn.clientSecret) : randomBytes(32).toString("hex"));
  const localSession: Session = { id: randomBytes(16).toString("hex"), login: "", token: "" };
  const secure = mode.kind === "github" && mode.signIn.publicUrl.startsWith("https:");

  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    if (url.pathname !== BASE && !url.pathname.startsWith(`${BASE}/`)) return false;
    try {
      await route(req, res, url);
    } catch (error) {
      log.error({ err: error, path: url.pathname }, "dashboard request failed");
      if (!res.headersSent) send(req, res, 500, renderMessage("Something went wrong", "<p>The dashboard could not answer; the error is in the app's log.</p>"));
      else res.end();
    }
    return true;
  };

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice(BASE.length).replace(/\/+$/, "") || "/";
    if (path === "/assets/dashboard.css") return asset(req, res, "text/css", DASHBOARD_CSS);
    if (path === "/assets/dashboard.js") return asset(req, res, "text/javascript", DASHBOARD_JS);
    if (mode.kind === "off") return send(req, res, 404, renderOff(mode.missing ?? []));
    // Without sign-in, only a page loaded from this machine's own address may read runs: a
    // name that merely resolves here (DNS rebinding) is refused.
    if (mode.kind === "local" && !isLoopbackHost(headerOf(req, "host"))) {
      log.warn({ host: headerOf(req, "host") }, "local dashboard refused a request for another host name");
      return send(req, res, 403, renderMessage("Refused", "<p>The local dashboard answers only at 127.0.0.1, localhost or [::1].</p>"));
    }
    if (mode.kind === "github" && path === "/login") return login(res, url, mode.signIn);
    if (mode.kind === "github" && path === "/auth/callback") return callback(req, res, url, mode.signIn);

    const session = sessionOf(req);
    if (session === null) {
      if (req.method !== "GET") return send(req, res, 401, renderMessage("Sign in first", "<p>Your session has ended.</p>"));
      return redirect(res, `${BASE}/login?next=${encodeURIComponent(url.pathname)}`);
    }
    const viewer: Viewer = { login: mode.kind === "github" ? session.login : null, csrf: csrfToken(keys, session.id) };
    if (req.method === "POST") {
      const form = await readForm(req);
      if (!sameOrigin(req) || !checkCsrf(keys, session.id, form.get("_csrf") ?? headerOf(req, "x-csrf-token"))) {
        log.warn({ path, login: session.login }, "dashboard control refused: missing or wrong CSRF token");
        return send(req, res, 403, renderMessage("Refused", "<p>This form has expired or did not come from the dashboard (CSRF check failed). Reload the page and try again.</p>", viewer));
      }
      if (path === "/logout") return logout(res);
      const cancel = /^\/runs\/([^/]+)\/cancel$/.exec(path);
      if (cancel) return control(req, res, session, viewer, cancel[1] ?? "", null);
      const stop = /^\/runs\/([^/]+)\/agents\/([^/]+)\/stop$/.exec(path);
      if (stop) return control(req, res, session, viewer, stop[1] ?? "", stop[2] ?? "");
      return send(req, res, 404, renderMessage("Not found", "", viewer));
    }
    if (req.method !== "GET" && req.method !== "HEAD") return send(req, res, 405, renderMessage("Not allowed", "", viewer));
    if (path === "/") return runsPage(req, res, url, session, viewer);
    const agent = /^\/runs\/([^/]+)\/agents\/([^/]+)$/.exec(path);
    if (agent) return agentPage(req, res, session, viewer, agent[1] ?? "", agent[2] ?? "");
    const events = /^\/runs\/([^/]+)\/events$/.exec(path);
    if (events) return eventStream(req, res, url, session, events[1] ?? "");
    const run = /^\/runs\/([^/]+)$/.exec(path);
    if (run) return runPage(req, res, session, viewer, run[1] ?? "");
    return send(req, res, 404, renderMessage("Not found", "<p>There is no such page.</p>", viewer));
  }

  // --- sign-in -------------------------------------------------------------

  function login(res: ServerResponse, url: URL, signIn: GitHubSignIn): void {
    const state = randomBytes(16).toString("base64url");
    const next = safeNext(url.searchParams.get("next"));
    const { url: authorize } = getWebFlowAuthorizationUrl({
      clientType: "github-app",
      clientId: signIn.clientId,
      state,
      redirectUrl: `${signIn.publicUrl}${BASE}/auth/callback`,
      request: new Octokit({ baseUrl: signIn.apiUrl }).request,
    });
    res.setHeader("set-cookie", cookieHeader(STATE_COOKIE, seal(keys, { state, next }, clock.now() + 600_000), { maxAgeS: 600, secure, path: BASE }));
    redirect(res, authorize);
  }

  async function callback(req: IncomingMessage, res: ServerResponse, url: URL, signIn: GitHubSignIn): Promise<void> {
    const pending = unseal<{ state: string; next: string }>(keys, readCookies(req.headers.cookie).get(STATE_COOKIE), clock.now());
    const code = url.searchParams.get("code");
    if (pending === null || code === null || url.searchParams.get("state") !== pending.state) {
      return send(req, res, 400, renderMessage("Sign-in failed", `<p>The sign-in did not match one this dashboard started (its <code>state</code> differs or expired). <a href="${BASE}/login">Sign in again</a>.</p>`));
    }
    let token: string;
    let loginName: string;
    try {
      const { authentication } = await exchangeWebFlowCode({
        clientType: "github-app",
        clientId: signIn.clientId,
        clientSecret: signIn.clientSecret,
        code,
        redirectUrl: `${signIn.publicUrl}${BASE}/auth/callback`,
        request: new Octokit({ baseUrl: signIn.apiUrl }).request,
      });
      token = authentication.token;
      loginName = await signIn.access.user(token);
    } catch (error) {
      log.warn({ err: error }, "dashboard sign-in: GitHub refused the code");
      return send(req, res, 502, renderMessage("Sign-in failed", `<p>GitHub did not accept the sign-in. Check GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, then <a href="${BASE}/login">try again</a>.</p>`));
    }
    const session: Session = { id: randomBytes(16).toString("base64url"), login: loginName, token };
    res.setHeader("set-cookie", [
      cookieHeader(SESSION_COOKIE, seal(keys, session, clock.now() + SESSION_MS), { maxAgeS: SESSION_MS / 1000, secure, path: BASE }),
      cookieHeader(STATE_COOKIE, "", { maxAgeS: 0, secure, path: BASE }),
    ]);
    log.info({ login: loginName }, "signed in to the dashboard");
    redirect(res, pending.next);
  }

  function logout(res: ServerResponse): void {
    res.setHeader("set-cookie", cookieHeader(SESSION_COOKIE, "", { maxAgeS: 0, secure, path: BASE }));
    redirect(res, `${BASE}/`, 303);
  }

  function sessionOf(req: IncomingMessage): Session | null {
    if (mode.kind === "local") return localSession;
    return unseal<Session>(keys, readCookies(req.headers.cookie).get(SESSION_COOKIE), clock.now());
  }

  async function accessOf(session: Session, run: RunRecord): Promise<RepoAccess> {
    if (mode.kind !== "github") return "write";
    return mode.signIn.access.access(session.token, run.owner, run.repo);
  }

  /** The run when the viewer may read it; otherwise the refusal has been sent. */
  async function readableRun(req: IncomingMessage, res: ServerResponse, session: Session, viewer: Viewer | null, runId: string): Promise<{ run: RunRecord; access: RepoAccess } | null> {
    const run = RUN_ID.test(runId) ? await options.store.runs.get(runId) : undefined;
    const access = run ? await accessOf(session, run) : "none";
    // An unknown run and one the user may not read look the same: run ids reveal nothing.
    if (!run || access === "none") {
      send(req, res, 404, renderMessage("Run not found", "<p>There is no such run, or GitHub says you cannot read its repository.</p>", viewer));
      return null;
    }
    return { run, access };
  }

  // --- pages ---------------------------------------------------------------

  async function runsPage(req: IncomingMessage, res: ServerResponse, url: URL, session: Session, viewer: Viewer): Promise<void> {
    const repoFilter = url.searchParams.get("repo") || null;
    const statusFilter = url.searchParams.get("status") || null;
    const before = Number(url.searchParams.get("before")) || undefined;
    const [owner, repo] = repoFilter?.split("/") ?? [];
    const page = 50;
    const candidates = await options.store.runs.listRecent({
      ...(owner && repo ? { owner, repo } : {}),
      ...(statusFilter ? { statuses: [statusFilter as RunRecordStatus] } : {}),
      ...(before ? { before } : {}),
      limit: page,
    });
    const allowed = new Map<string, boolean>();
    for (const run of candidates) {
      const key = `${run.owner}/${run.repo}`;
      if (!allowed.has(key)) allowed.set(key, (await accessOf(session, run)) !== "none");
    }
    const runs = candidates.filter((run) => allowed.get(`${run.owner}/${run.repo}`));
    const repos = [...allowed].filter(([, ok]) => ok).map(([key]) => key);
    if (repoFilter && !repos.includes(repoFilter)) repos.push(repoFilter);
    const nextBefore = candidates.length === page ? (candidates.at(-1)?.createdAt ?? null) : null;
    send(req, res, 200, renderRunsPage({ runs, filter: { repo: repoFilter, status: statusFilter }, repos: repos.sort(), nextBefore, viewer, now: clock.now() }));
  }

  async function runPage(req: IncomingMessage, res: ServerResponse, session: Session, viewer: Viewer, runId: string): Promise<void> {
    const found = await readableRun(req, res, session, viewer, runId);
    if (!found) return;
    const view = await readRunView(options.store, found.run);
    send(req, res, 200, renderRunPage({ ...view, viewer, canWrite: found.access === "write", now: clock.now() }));
  }

  async function agentPage(req: IncomingMessage, res: ServerResponse, session: Session, viewer: Viewer, runId: string, agentId: string): Promise<void> {
    const found = await readableRun(req, res, session, viewer, runId);
    if (!found) return;
    const { run, access } = found;
    const view = AGENT_ID.test(agentId) ? await readAgentView(options.store, run, agentId) : null;
    if (view === null) return send(req, res, 404, renderMessage("Agent not found", "<p>This run has no such agent.</p>", viewer));
    send(req, res, 200, renderAgentPage({ ...view, run, viewer, canWrite: access === "write" && !isFinal(run.status) }));
  }

  // --- live ----------------------------------------------------------------

  async function eventStream(req: IncomingMessage, res: ServerResponse, url: URL, session: Session, runId: string): Promise<void> {
    const found = await readableRun(req, res, session, null, runId);
    if (!found) return;
    let after = Number(headerOf(req, "last-event-id") ?? url.searchParams.get("after") ?? 0) || 0;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
    res.write("retry: 2000\n\n");
    let open = true;
    req.on("close", () => {
      open = false;
    });
    const interval = options.eventPollMs ?? 1000;
    while (open) {
      const batch = await options.store.events.list(found.run.id, { afterSeq: after, limit: 500 });
      for (const { seq, event } of batch) {
        after = seq;
        res.write(`id: ${seq}\ndata: ${JSON.stringify(event)}\n\n`);
        if (event.type === "run.finished") open = false;
      }
      if (batch.length === 500) continue;
      // A comment line keeps proxies from closing an idle stream.
      if (open) res.write(": keep-alive\n\n");
      await sleep(interval, { timers: options.timers ?? backgroundTimers });
    }
    res.end();
  }

  // --- controls ------------------------------------------------------------

  async function control(req: IncomingMessage, res: ServerResponse, session: Session, viewer: Viewer, runId: string, agentId: string | null): Promise<void> {
    const found = await readableRun(req, res, session, viewer, runId);
    if (!found) return;
    const { run, access } = found;
    if (access !== "write") {
      log.warn({ runId, login: session.login }, "dashboard control refused: no write access");
      return send(req, res, 403, renderMessage("Refused", `<p>Only people with write access to ${esc(`${run.owner}/${run.repo}`)} can cancel runs or stop agents.</p>`, viewer));
    }
    if (agentId !== null && !AGENT_ID.test(agentId)) return send(req, res, 404, renderMessage("Agent not found", "", viewer));
    const by = mode.kind === "github" ? session.login : null;
    if (agentId === null && ["queued", "planned", "awaiting-approval"].includes(run.status)) {
      // Nothing executes it yet: it is cancelled here and never starts.
      await options.store.runs.update(run.id, { status: "cancelled", error: { code: "run_cancelled", message: by ? `cancelled by @${by}` : "cancelled" } });
    } else if (!isFinal(run.status)) {
      await options.store.controls.request(run.id, { action: agentId === null ? "cancel" : "stop-agent", agentId, requestedBy: by });
    }
    log.info({ runId, agentId, by }, agentId === null ? "run cancel requested from the dashboard" : "agent stop requested from the dashboard");
    redirect(res, agentId === null ? `${BASE}/runs/${run.id}` : `${BASE}/runs/${run.id}/agents/${agentId}`, 303);
  }

  // --- helpers -------------------------------------------------------------

  function renderOff(missing: readonly string[]): string {
    const unset = missing.length === 0 ? "" : `<p>Not set: ${missing.map((name) => `<code>${esc(name)}</code>`).join(", ")}.</p>`;
    return renderMessage(
      "The dashboard is off",
      `${unset}<p>It needs the App's sign-in with GitHub. Set <code>GITHUB_CLIENT_ID</code> and <code>GITHUB_CLIENT_SECRET</code> (the App's settings page on GitHub, "Client ID" and "Generate a new client secret"; the setup flow saves both to <code>.env</code>) and <code>DYNFLOW_PUBLIC_URL</code>, add <code>&lt;DYNFLOW_PUBLIC_URL&gt;/dashboard/auth/callback</code> as the App's callback URL, and restart. See docs/dashboard.md.</p>`,
    );
  }
}

/** `127.0.0.1`, `localhost` or `[::1]`, with any port. */
function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.replace(/:\d+$/, "").toLowerCase();
  return name === "127.0.0.1" || name === "localhost" || name === "[::1]";
}

function asset(req: IncomingMessage, res: ServerResponse, type: string, body: string): void {
  send(req, res, 200, body, { "content-type": `${type}; charset=utf-8`, "cache-control": "public, max-age=3600" });
}

/** Sends a response, gzipped when the client takes it (pages of a large run shrink tenfold). */
function send(req: IncomingMessage, res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? "")) && body.length > 1024;
  const payload = gzip ? gzipSync(body) : Buffer.from(body);
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "content-security-policy": "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self' https: http:; frame-ancestors 'none'",
    ...(gzip ? { "content-encoding": "gzip", vary: "accept-encoding" } : {}),
    ...headers,
    "content-length": String(payload.length),
  });
  res.end(req.method === "HEAD" ? undefined : payload);
}

function redirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, "cache-control": "no-store" });
  res.end();
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A browser's POST carries Origin (or Referer); when it does, it must be this host. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = headerOf(req, "origin") ?? headerOf(req, "referer");
  if (origin === undefined || origin === "null") return origin === undefined;
  try {
    return new URL(origin).host === headerOf(req, "host");
  } catch {
    return false;
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 8192) break;
  }
  return new URLSearchParams(body);
}

/** Only a dashboard path is a place to return to after signing in. */
function safeNext(next: string | null): string {
  return next !== null && next.startsWith(`${BASE}/`) && !next.startsWith("//") && !next.includes("\\") ? next : `${BASE}/`;
}
