/**
 * A stateful fake of the GitHub REST API served over real HTTP on 127.0.0.1,
 * for tests and benchmarks whose app runs in another process (nock cannot
 * reach there). Point the app at it as a GitHub Enterprise Server:
 * `GHE_HOST=127.0.0.1:<port>`, `GHE_PROTOCOL=http` (the API lives under
 * `/api/v3`, GraphQL at `/api/graphql`).
 *
 * Any number of repositories, each backed by a real bare git repository
 * (contents, branches and `clone_url` come from it). What the app writes
 * (comments, reactions, check runs, pull requests) is kept, and every call is
 * recorded, so a test reads GitHub's state afterwards. The state lives in the
 * test's process: it survives the app's process being killed and restarted.
 *
 * The repository's own CI is faked too: a test adds check runs on a commit
 * (`addCiCheck`, with annotations and a job log for Actions jobs) or commit
 * statuses (`addCommitStatus`), and then delivers the webhook that says they
 * completed.
 */
import { execFile, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { FULL_OID } from "../../src/workspace/object-id.js";
import { readRefs } from "../../src/workspace/read-refs.js";

const exec = promisify(execFile);
const BODY_LIMIT = 65_536;

export interface FakeRepositoryOptions {
  owner: string;
  repo: string;
  installationId: number;
  /** The bare repository that is the remote. */
  bareDir: string;
  /** The `clone_url` served (e.g. the repository over smart HTTP); default: `file://` + `bareDir`. */
  cloneUrl?: string;
  /** Collaborator permissions by login; anyone else gets 404. Default: `octocat` may write. */
  permissions?: Record<string, "admin" | "write" | "read">;
}

export interface ServedComment {
  id: number;
  repo: string;
  issue: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
}

export interface ServedCheckRun {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  external_id: string;
  status: string;
  conclusion: string | null;
  html_url: string;
  details_url?: string;
  app: { slug: string };
  output?: { title?: string; summary?: string; text?: string };
}

/** A check run of the repository's own CI, as a test adds it. */
export interface CiCheckOptions {
  /** `owner/repo`. */
  repo: string;
  name: string;
  headSha: string;
  status?: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "neutral" | "skipped" | "cancelled" | "timed_out" | null;
  /** Default `github-actions` (whose check run id is the job id, with a log). */
  appSlug?: string;
  title?: string;
  annotations?: { path: string; start_line: number; annotation_level: string; message: string }[];
  /** The job's log (served for Actions jobs). */
  log?: string;
}

/** A commit status the repository's CI reports (the Statuses API). */
export interface ServedStatus {
  id: number;
  /** `owner/repo`. */
  repo: string;
  sha: string;
  context: string;
  state: "pending" | "success" | "failure" | "error";
  description: string | null;
  target_url: string | null;
}

export interface ServedPull {
  number: number;
  repo: string;
  title: string;
  body: string;
  base: string;
  head: string;
  draft: boolean;
  node_id: string;
}

export interface ServedCall {
  method: string;
  /** Path without the `/api/v3` prefix, query included. */
  path: string;
  body: unknown;
  status: number;
  /** When the request arrived (ms since the epoch). */
  at: number;
}

export interface FakeGitHubServer {
  /** `127.0.0.1:<port>`, for `GHE_HOST`. */
  readonly host: string;
  readonly comments: ServedComment[];
  readonly reactions: { repo: string; commentId: number; content: string }[];
  readonly checkRuns: ServedCheckRun[];
  readonly pulls: ServedPull[];
  readonly calls: ServedCall[];
  /** Adds a check run of the repository's CI; returns it (change its status later by assigning). */
  addCiCheck(options: CiCheckOptions): ServedCheckRun;
  /** Adds a commit status (a newer one of the same context replaces it, as on GitHub). */
  addCommitStatus(options: Omit<ServedStatus, "id" | "description" | "target_url"> & { description?: string }): ServedStatus;
  /** Calls no route answered (404), for debugging. */
  readonly unhandled: ServedCall[];
  addRepository(options: FakeRepositoryOptions): void;
  /** Calls whose method matches and whose path matches `path`. */
  callsTo(method: string, path: RegExp): ServedCall[];
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  raw?: string;
  /** A redirect's target. */
  location?: string;
}

type Route = (match: RegExpExecArray, request: { method: string; url: URL; body: unknown; accept: string }) => Promise<Reply> | Reply;

/** Starts the fake; add repositories with `addRepository`. */
export async function startFakeGitHubServer(options: { bot?: { login: string; id: number } } = {}): Promise<FakeGitHubServer> {
  const bot = options.bot ?? { login: "dynflow-app[bot]", id: 4242 };
  const repos = new Map<string, FakeRepositoryOptions>();
  const comments: ServedComment[] = [];
  const reactions: { repo: string; commentId: number; content: string }[] = [];
  const checkRuns: ServedCheckRun[] = [];
  const statuses: ServedStatus[] = [];
  const pulls: ServedPull[] = [];
  const calls: ServedCall[] = [];
  const unhandled: ServedCall[] = [];
  const annotations = new Map<number, CiCheckOptions["annotations"]>();
  const logs = new Map<number, string>();
  let nextId = 50_000;
  let nextPull = 100;

  const repoOf = (match: RegExpExecArray) => repos.get(`${match[1]}/${match[2]}`);
  const git = async (repo: FakeRepositoryOptions, ...args: string[]) => (await exec("git", args, { cwd: repo.bareDir, maxBuffer: 64 << 20 })).stdout;
  const notFound: Reply = { status: 404, body: { message: "Not Found" } };
  const R = "^/repos/([^/]+)/([^/]+)";
  // GitHub's own work is not this machine's: a branch is read from the ref files, and a file at a commit (which never
  // changes) is read by one git process once, so that the fake's processes do not compete with the app's for the CPU.
  const tipOf = async (repo: FakeRepositoryOptions, name: string): Promise<string | null> => {
    if (FULL_OID.test(name)) return name;
    const refs = readRefs(repo.bareDir);
    const tip = refs?.get(`refs/heads/${name}`) ?? refs?.get(`refs/tags/${name}`);
    if (tip !== undefined) return tip;
    const resolved = await git(repo, "rev-parse", "--verify", "--quiet", `${name}^{commit}`).catch(() => null);
    return resolved === null ? null : resolved.trim();
  };
  const files = new Map<string, Promise<{ sha: string; content: string } | null>>();
  const fileAt = (repo: FakeRepositoryOptions, commit: string, path: string) => {
    const key = `${repo.bareDir}\0${commit}\0${path}`;
    let file = files.get(key);
    if (file === undefined) {
      file = catFile(repo.bareDir, `${commit}:${path}`);
      files.set(key, file);
      // Only what exists is kept: a commit pushed later may add the file.
      void file.then((found) => found ?? files.delete(key), () => files.delete(key));
    }
    return file;
  };
  const html = (repo: string, rest: string) => `https://github.example/${repo}/${rest}`;

  const routes: [string, RegExp, Route][] = [
    ["POST", /^\/app\/installations\/(\d+)\/access_tokens$/, () => ({ status: 201, body: { token: "ghs_fake_installation_token_000000000000", expires_at: "2099-01-01T00:00:00Z" } })],
    ["GET", /^\/app$/, () => ({ status: 200, body: { slug: bot.login.replace(/\[bot\]$/, ""), id: 1 } })],
    ["GET", /^\/users\/([^/]+)$/, (m) => (decodeURIComponent(m[1]!) === bot.login ? { status: 200, body: { login: bot.login, id: bot.id, type: "Bot" } } : notFound)],
    [
      "GET",
      new RegExp(`${R}$`),
      (m) => {
        const repo = repoOf(m);
        if (!repo) return notFound;
        return { status: 200, body: { id: 1, name: repo.repo, full_name: `${repo.owner}/${repo.repo}`, default_branch: "main", clone_url: repo.cloneUrl ?? `file://${repo.bareDir}`, owner: { login: repo.owner } } };
      },
    ],
    [
      "GET",
      new RegExp(`${R}/branches/([^/]+)$`),
      async (m) => {
        const repo = repoOf(m);
        if (!repo) return notFound;
        const name = decodeURIComponent(m[3]!);
        const branch = `refs/heads/${name}`;
        const refs = readRefs(repo.bareDir);
        const sha = refs ? (refs.get(branch) ?? null) : await git(repo, "rev-parse", "--verify", branch).catch(() => null);
        return sha === null ? notFound : { status: 200, body: { name, commit: { sha: sha.trim() } } };
      },
    ],
    [
      "GET",
      new RegExp(`${R}/contents/(.+)$`),
      async (m, request) => {
        const repo = repoOf(m);
        if (!repo) return notFound;
        const path = decodeURIComponent(m[3]!);
        const ref = request.url.searchParams.get("ref") ?? "main";
        const commit = await tipOf(repo, ref);
        const file = commit === null ? null : await fileAt(repo, commit, path);
        if (file === null) return notFound;
        const { sha, content } = file;
        if (request.accept.includes("raw")) return { status: 200, raw: content };
        return { status: 200, body: { type: "file", encoding: "base64", size: Buffer.byteLength(content), name: path.split("/").at(-1), path, sha, content: Buffer.from(content).toString("base64") } };
      },
    ],
    [
      "GET",
      new RegExp(`${R}/collaborators/([^/]+)/permission$`),
      (m) => {
        const login = decodeURIComponent(m[3]!);
        const permission = (repoOf(m)?.permissions ?? { octocat: "write" })[login];
        return permission === undefined ? notFound : { status: 200, body: { permission, role_name: permission, user: { login } } };
      },
    ],
    [
      "POST",
      new RegExp(`${R}/issues/comments/(\\d+)/reactions$`),
      (m, { body }) => {
        const content = (body as { content: string }).content;
        reactions.push({ repo: `${m[1]}/${m[2]}`, commentId: Number(m[3]), content });
        return { status: 201, body: { id: nextId++, content } };
      },
    ],
    ["GET", new RegExp(`${R}/issues/(\\d+)/comments$`), (m, { url }) => ({ status: 200, body: pageOf(comments.filter((c) => c.repo === `${m[1]}/${m[2]}` && c.issue === Number(m[3])), url) })],
    [
      "POST",
      new RegExp(`${R}/issues/(\\d+)/comments$`),
      (m, { body }) => {
        const text = (body as { body: string }).body;
        if (text.length > BODY_LIMIT) return { status: 422, body: { message: "body is too long (maximum is 65536 characters)" } };
        const id = nextId++;
        const repo = `${m[1]}/${m[2]}`;
        const comment: ServedComment = { id, repo, issue: Number(m[3]), body: text, user: { login: bot.login, type: "Bot" }, html_url: html(repo, `issues/${m[3]}#issuecomment-${id}`) };
        comments.push(comment);
        return { status: 201, body: comment };
      },
    ],
    [
      "PATCH",
      new RegExp(`${R}/issues/comments/(\\d+)$`),
      (m, { body }) => {
        const comment = comments.find((c) => c.id === Number(m[3]));
        if (!comment) return notFound;
        comment.body = (body as { body: string }).body;
        return { status: 200, body: comment };
      },
    ],
    [
      "GET",
      new RegExp(`${R}/commits/([0-9a-f]+)/check-runs$`),
      (m, { url }) => {
        const found = checkRuns.filter((run) => run.repo === `${m[1]}/${m[2]}` && run.head_sha === m[3]);
        return { status: 200, body: { total_count: found.length, check_runs: pageOf(found, url) } };
      },
    ],
    [
      "GET",
      new RegExp(`${R}/commits/([0-9a-f]+)/statuses$`),
      (m, { url }) => {
        // Newest first, every status of every context, as GitHub lists them.
        const found = statuses.filter((status) => status.repo === `${m[1]}/${m[2]}` && status.sha === m[3]).reverse();
        return { status: 200, body: pageOf(found, url) };
      },
    ],
    [
      "POST",
      new RegExp(`${R}/check-runs$`),
      (m, { body }) => {
        const input = body as Partial<ServedCheckRun>;
        const id = nextId++;
        const repo = `${m[1]}/${m[2]}`;
        const run: ServedCheckRun = {
          id,
          repo,
          name: input.name ?? "",
          head_sha: input.head_sha ?? "",
          external_id: input.external_id ?? "",
          status: input.status ?? "queued",
          conclusion: input.conclusion ?? null,
          html_url: html(repo, `runs/${id}`),
          app: { slug: bot.login.replace(/\[bot\]$/, "") },
          ...(input.output ? { output: input.output } : {}),
        };
        checkRuns.push(run);
        return { status: 201, body: run };
      },
    ],
    [
      "GET",
      new RegExp(`${R}/check-runs/(\\d+)$`),
      (m) => {
        const run = checkRuns.find((candidate) => candidate.id === Number(m[3]));
        return run ? { status: 200, body: { ...run, output: { title: null, summary: null, text: null, ...run.output } } } : notFound;
      },
    ],
    [
      "GET",
      new RegExp(`${R}/check-runs/(\\d+)/annotations$`),
      (m, { url }) => {
        const found = annotations.get(Number(m[3]));
        return found === undefined ? notFound : { status: 200, body: pageOf(found.map((a) => ({ ...a, end_line: a.start_line, title: null })), url) };
      },
    ],
    [
      "GET",
      new RegExp(`${R}/actions/jobs/(\\d+)/logs$`),
      (m) => {
        // GitHub answers with a redirect to a short-lived download URL.
        return logs.has(Number(m[3])) ? { status: 302, location: `/_logs/${m[3]}` } : notFound;
      },
    ],
    ["GET", /^\/_logs\/(\d+)$/, (m) => ({ status: 200, raw: logs.get(Number(m[1])) ?? "" })],
    [
      "GET",
      new RegExp(`${R}/issues/comments/(\\d+)$`),
      (m) => {
        const comment = comments.find((c) => c.id === Number(m[3]));
        return comment ? { status: 200, body: comment } : notFound;
      },
    ],
    [
      "GET",
      new RegExp(`${R}/pulls/(\\d+)$`),
      (m) => {
        const pull = pulls.find((candidate) => candidate.repo === `${m[1]}/${m[2]}` && candidate.number === Number(m[3]));
        return pull ? { status: 200, body: pullJson(pull) } : notFound;
      },
    ],
    [
      "PATCH",
      new RegExp(`${R}/check-runs/(\\d+)$`),
      (m, { body }) => {
        const run = checkRuns.find((candidate) => candidate.id === Number(m[3]));
        if (!run) return notFound;
        Object.assign(run, body);
        return { status: 200, body: run };
      },
    ],
    [
      "GET",
      new RegExp(`${R}/pulls$`),
      (m, { url }) => {
        const head = url.searchParams.get("head") ?? "";
        const repo = `${m[1]}/${m[2]}`;
        return { status: 200, body: pulls.filter((pull) => pull.repo === repo && `${m[1]}:${pull.head}` === head).map(pullJson) };
      },
    ],
    [
      "POST",
      new RegExp(`${R}/pulls$`),
      (m, { body }) => {
        const input = body as { title: string; body: string; base: string; head: string; draft?: boolean };
        if (input.body.length > BODY_LIMIT) return { status: 422, body: { message: "body is too long (maximum is 65536 characters)" } };
        // As GitHub: one open pull request per head and base.
        const repo = `${m[1]}/${m[2]}`;
        if (pulls.some((pull) => pull.repo === repo && pull.head === input.head && pull.base === input.base)) {
          return { status: 422, body: { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${m[1]}:${input.head}.` }] } };
        }
        const number = nextPull++;
        const pull: ServedPull = { number, repo: `${m[1]}/${m[2]}`, title: input.title, body: input.body, base: input.base, head: input.head, draft: input.draft ?? false, node_id: `PR_${number}` };
        pulls.push(pull);
        return { status: 201, body: pullJson(pull) };
      },
    ],
    [
      "PATCH",
      new RegExp(`${R}/pulls/(\\d+)$`),
      (m, { body }) => {
        const pull = pulls.find((candidate) => candidate.repo === `${m[1]}/${m[2]}` && candidate.number === Number(m[3]));
        if (!pull) return notFound;
        Object.assign(pull, body);
        return { status: 200, body: pullJson(pull) };
      },
    ],
    [
      "POST",
      /^\/graphql$/,
      (_m, { body }) => {
        const { query, variables } = body as { query: string; variables: { id: string; body?: string } };
        const pull = pulls.find((candidate) => candidate.node_id === variables.id);
        if (pull) pull.draft = query.includes("convertPullRequestToDraft");
        if (pull && query.includes("updatePullRequest") && variables.body !== undefined) pull.body = variables.body;
        return { status: 200, body: { data: { pullRequest: { isDraft: pull?.draft ?? false } } } };
      },
    ],
  ];

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    // The REST API under /api/v3, GraphQL at /api/graphql (GitHub Enterprise Server's layout).
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "").replace(/^\/api\/graphql$/, "/graphql");
    const method = req.method ?? "GET";
    const body = text === "" ? null : (JSON.parse(text) as unknown);
    const call: ServedCall = { method, path: `${path}${url.search}`, body, status: 404, at: Date.now() };
    calls.push(call);
    let reply: Reply = notFound;
    let matched = false;
    for (const [routeMethod, pattern, route] of routes) {
      const match = routeMethod === method ? pattern.exec(path) : null;
      if (!match) continue;
      matched = true;
      reply = await route(match, { method, url, body, accept: String(req.headers.accept ?? "") });
      break;
    }
    if (!matched) unhandled.push(call);
    call.status = reply.status;
    if (reply.location !== undefined) {
      res.writeHead(reply.status, { location: `http://${req.headers.host ?? "127.0.0.1"}${reply.location}` });
      res.end();
      return;
    }
    if (reply.raw !== undefined) {
      res.writeHead(reply.status, { "content-type": "text/plain; charset=utf-8" });
      res.end(reply.raw);
      return;
    }
    res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(reply.body ?? null));
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    host: `127.0.0.1:${port}`,
    comments,
    reactions,
    checkRuns,
    pulls,
    calls,
    unhandled,
    addCiCheck(options) {
      const id = nextId++;
      const slug = options.appSlug ?? "github-actions";
      const run: ServedCheckRun = {
        id,
        repo: options.repo,
        name: options.name,
        head_sha: options.headSha,
        external_id: "",
        status: options.status ?? "completed",
        conclusion: options.conclusion ?? (options.status === undefined || options.status === "completed" ? "success" : null),
        html_url: html(options.repo, `runs/${id}`),
        details_url: html(options.repo, `actions/runs/1/job/${id}`),
        app: { slug },
        output: { title: options.title ?? "", summary: "" },
      };
      checkRuns.push(run);
      annotations.set(id, options.annotations ?? []);
      if (options.log !== undefined && slug === "github-actions") logs.set(id, options.log);
      return run;
    },
    addCommitStatus(options) {
      const status: ServedStatus = { ...options, id: nextId++, description: options.description ?? null, target_url: `https://ci.example/${options.context}/${nextId}` };
      statuses.push(status);
      return status;
    },
    addRepository: (repo) => void repos.set(`${repo.owner}/${repo.repo}`, repo),
    callsTo: (method, path) => calls.filter((call) => call.method === method && path.test(call.path)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Everything on page 1, nothing after: enough for the app's lists, and Octokit's paginator stops. */
function pageOf<T>(items: T[], url: URL): T[] {
  return Number(url.searchParams.get("page") ?? "1") > 1 ? [] : items;
}

function pullJson(pull: ServedPull) {
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body,
    draft: pull.draft,
    state: "open",
    node_id: pull.node_id,
    html_url: `https://github.example/${pull.repo}/pull/${pull.number}`,
    base: { ref: pull.base },
    head: { ref: pull.head },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** The blob `spec` (`<commit>:<path>`) names, with its id, by one `git cat-file --batch`; null when it is not a blob. */
function catFile(gitDir: string, spec: string): Promise<{ sha: string; content: string } | null> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd: gitDir, stdio: ["pipe", "pipe", "ignore"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", () => {
      const out = Buffer.concat(chunks);
      const header = out.subarray(0, out.indexOf(10)).toString();
      const [sha, type, size] = header.split(" ");
      if (type !== "blob" || sha === undefined || size === undefined) return resolve(null);
      const start = header.length + 1;
      resolve({ sha, content: out.subarray(start, start + Number(size)).toString() });
    });
    child.stdin.end(`${spec}\n`);
  });
}
