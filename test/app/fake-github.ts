/**
 * A stateful fake of the GitHub REST API for `acme/widgets` (installation 77),
 * served through nock on the API host: what the app reads comes from a real
 * bare git repository (contents, branches, `clone_url`), and what it writes
 * (comments, reactions, check runs, pull requests) is kept, so a test reads
 * GitHub's state afterwards and every request body on the way.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import nock from "nock";
import { API } from "../github/octokit.js";
import { testGitEnv } from "../workspace/git-fixture.js";

const exec = promisify(execFile);
const REPO = "/repos/acme/widgets";
const ORG_CONFIG = "/repos/acme/.github/contents/.github%2Fdynflow.yml";

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  external_id: string;
  status: string;
  conclusion: string | null;
  output: { title: string; summary: string; text?: string } | null;
  html_url: string;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  base: string;
  head: string;
  draft: boolean;
  state: "open";
  node_id: string;
  html_url: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  state_reason: string | null;
  labels: { name: string }[];
  html_url: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
}

export interface FakeGitHubOptions {
  /** The bare repository that is the "remote": contents, branches and clone URL come from it. */
  bareDir: string;
  /** Collaborator permissions by login; anyone else gets 404 (no access). */
  permissions?: Record<string, "admin" | "write" | "read">;
  /** The app's bot login and user id. */
  bot?: { login: string; id: number };
  /** Files a pull request changes (any pull request number is a pull request of `main` onto itself). */
  pullFiles?: string[];
  /** A pull request's head instead of `main`: a branch of the bare repository, shown as living in `repo` (e.g. a fork). */
  pullHead?: { repo: string; branch: string };
  /**
   * Awaited before the fake answers some requests, to hold them back: a comment it is asked to create
   * (`POST .../issues/N/comments`), a read of the repository's contents (`GET .../contents/<path>`, with the
   * decoded path) and a check run it is asked to create (`POST .../check-runs`).
   */
  hold?: (method: "GET" | "POST", path: string) => Promise<void>;
}

/** A review the app posted on a pull request. */
export interface FakeReview {
  id: number;
  pull: number;
  event: string;
  body: string;
  html_url: string;
}

export interface FakeGitHub {
  readonly comments: FakeComment[];
  readonly reactions: { commentId: number; content: string }[];
  readonly checkRuns: FakeCheckRun[];
  readonly pulls: FakePull[];
  /** Reviews the app posted on pull requests. */
  readonly reviews: FakeReview[];
  /** Issues the app opened (audit issues), by number from 200. */
  readonly issues: FakeIssue[];
  readonly calls: RecordedCall[];
  /** Comments posted by the app on issue 42 (status comments and replies), oldest first. */
  appComments(): FakeComment[];
  /** The app's status comment of `runId`. */
  statusComment(runId: string): FakeComment | undefined;
  /** Calls whose method and path match. */
  callsTo(method: string, path: RegExp): RecordedCall[];
}

const BODY_LIMIT = 65_536;

/** Installs the fake (call inside a test that uses `useNock()`). */
export function fakeGitHub(options: FakeGitHubOptions): FakeGitHub {
  const bot = options.bot ?? { login: "dynflow-app[bot]", id: 4242 };
  const permissions = options.permissions ?? { octocat: "write" };
  const comments: FakeComment[] = [];
  const reactions: { commentId: number; content: string }[] = [];
  const checkRuns: FakeCheckRun[] = [];
  const pulls: FakePull[] = [];
  const reviews: FakeReview[] = [];
  const issues: FakeIssue[] = [];
  const calls: RecordedCall[] = [];
  let nextId = 50_000;

  const record = (method: string, uri: string, body: unknown) => calls.push({ method, path: uri, body });
  const git = async (...args: string[]) => (await exec("git", args, { cwd: options.bareDir, env: testGitEnv(), maxBuffer: 64 << 20 })).stdout;
  const scope = nock(API).persist();

  scope.post("/app/installations/77/access_tokens").reply(201, (uri, body) => {
    record("POST", uri, body);
    return { token: "ghs_installation_token_0000000000000000", expires_at: "2099-01-01T00:00:00Z" };
  });

  scope.get(REPO).reply(200, (uri) => {
    record("GET", uri, null);
    return {
      id: 1296269,
      name: "widgets",
      full_name: "acme/widgets",
      default_branch: "main",
      clone_url: `file://${options.bareDir}`,
      html_url: "https://github.com/acme/widgets",
      owner: { login: "acme" },
    };
  });

  scope.get(new RegExp(`^${REPO}/branches/[^/?]+$`)).reply(async (uri) => {
    record("GET", uri, null);
    const branch = decodeURIComponent(uri.split("/").at(-1)!);
    const sha = await git("rev-parse", "--verify", `refs/heads/${branch}`).catch(() => null);
    return sha === null ? [404, { message: "Branch not found" }] : [200, { name: branch, commit: { sha: sha.trim() } }];
  });

  scope.get((uri) => uri.startsWith(`${REPO}/contents/`)).reply(async function (uri) {
    record("GET", uri, null);
    const url = new URL(uri, API);
    const path = decodeURIComponent(url.pathname.slice(`${REPO}/contents/`.length));
    await options.hold?.("GET", path);
    const ref = url.searchParams.get("ref") ?? "main";
    // A folder is listed, as GitHub does: one entry per file and subfolder.
    const kind = await git("cat-file", "-t", `${ref}:${path}`).then((t) => t.trim(), () => null);
    if (kind === "tree") {
      const listing = await git("ls-tree", `${ref}:${path}`);
      const entries = listing.split("\n").filter(Boolean).map((line) => {
        const [meta = "", name = ""] = line.split("\t");
        const type = meta.split(" ")[1] === "tree" ? "dir" : "file";
        return { type, name, path: `${path}/${name}` };
      });
      return [200, entries];
    }
    const content = await git("cat-file", "blob", `${ref}:${path}`).catch(() => null);
    if (content === null) return [404, { message: "Not Found" }];
    const accept = String(this.req.headers.accept ?? "");
    if (accept.includes("raw")) return [200, content, { "content-type": "text/plain; charset=utf-8" }];
    const blob = (await git("rev-parse", `${ref}:${path}`)).trim();
    return [200, { type: "file", encoding: "base64", size: Buffer.byteLength(content), name: path.split("/").at(-1), path, sha: blob, content: Buffer.from(content).toString("base64") }];
  });
  scope.get(ORG_CONFIG).reply(404, (uri) => {
    record("GET", uri, null);
    return { message: "Not Found" };
  });

  scope.get(/^\/repos\/acme\/widgets\/collaborators\/[^/]+\/permission$/).reply((uri) => {
    record("GET", uri, null);
    const login = decodeURIComponent(uri.split("/").at(-2)!);
    const permission = permissions[login];
    return permission === undefined ? [404, { message: "Not Found" }] : [200, { permission, role_name: permission, user: { login } }];
  });

  scope.get(/^\/users\/[^/]+$/).reply((uri) => {
    record("GET", uri, null);
    const login = decodeURIComponent(uri.split("/").at(-1)!);
    return login === bot.login ? [200, { login, id: bot.id, type: "Bot" }] : [404, { message: "Not Found" }];
  });

  scope.post(/^\/repos\/acme\/widgets\/issues\/comments\/\d+\/reactions$/).reply((uri, body) => {
    record("POST", uri, body);
    const commentId = Number(uri.split("/").at(-2));
    reactions.push({ commentId, content: (body as { content: string }).content });
    return [201, { id: nextId++, content: (body as { content: string }).content }];
  });

  scope.get(/^\/repos\/acme\/widgets\/issues\/\d+\/comments(\?.*)?$/).reply((uri) => {
    record("GET", uri, null);
    const issue = Number(new URL(uri, API).pathname.split("/").at(-2));
    return [200, comments.filter((comment) => comment.issue === issue)];
  });
  scope.post(/^\/repos\/acme\/widgets\/issues\/\d+\/comments$/).reply(async (uri, body) => {
    await options.hold?.("POST", uri);
    record("POST", uri, body);
    const issue = Number(uri.split("/").at(-2));
    const text = (body as { body: string }).body;
    if (text.length > BODY_LIMIT) return [422, { message: "body is too long (maximum is 65536 characters)" }];
    const id = nextId++;
    const comment: FakeComment = { id, issue, body: text, user: { login: bot.login, type: "Bot" }, html_url: `https://github.com/acme/widgets/issues/${issue}#issuecomment-${id}` };
    comments.push(comment);
    return [201, comment];
  });
  scope.patch(/^\/repos\/acme\/widgets\/issues\/comments\/\d+$/).reply((uri, body) => {
    record("PATCH", uri, body);
    const comment = comments.find((candidate) => candidate.id === Number(uri.split("/").at(-1)));
    if (comment === undefined) return [404, { message: "Not Found" }];
    comment.body = (body as { body: string }).body;
    return [200, comment];
  });

  scope.get(/^\/repos\/acme\/widgets\/commits\/[0-9a-f]+\/check-runs(\?.*)?$/).reply((uri) => {
    record("GET", uri, null);
    const sha = new URL(uri, API).pathname.split("/").at(-2);
    const found = checkRuns.filter((run) => run.head_sha === sha);
    return [200, { total_count: found.length, check_runs: found }];
  });
  scope.post(`${REPO}/check-runs`).reply(async (uri, body) => {
    await options.hold?.("POST", uri);
    record("POST", uri, body);
    const input = body as Partial<FakeCheckRun> & { output?: FakeCheckRun["output"] };
    const id = nextId++;
    const run: FakeCheckRun = {
      id,
      name: input.name ?? "",
      head_sha: input.head_sha ?? "",
      external_id: input.external_id ?? "",
      status: input.status ?? "queued",
      conclusion: input.conclusion ?? null,
      output: input.output ?? null,
      html_url: `https://github.com/acme/widgets/runs/${id}`,
    };
    checkRuns.push(run);
    return [201, run];
  });
  scope.patch(/^\/repos\/acme\/widgets\/check-runs\/\d+$/).reply((uri, body) => {
    record("PATCH", uri, body);
    const run = checkRuns.find((candidate) => candidate.id === Number(uri.split("/").at(-1)));
    if (run === undefined) return [404, { message: "Not Found" }];
    Object.assign(run, body);
    return [200, run];
  });

  scope.get(/^\/repos\/acme\/widgets\/pulls\?/).reply((uri) => {
    record("GET", uri, null);
    const head = new URL(uri, API).searchParams.get("head") ?? "";
    return [200, pulls.filter((pull) => `acme:${pull.head}` === head).map(pullJson)];
  });
  scope.post(`${REPO}/pulls`).reply((uri, body) => {
    record("POST", uri, body);
    const input = body as { title: string; body: string; base: string; head: string; draft?: boolean };
    if (input.body.length > BODY_LIMIT) return [422, { message: "body is too long (maximum is 65536 characters)" }];
    // As GitHub: one open pull request per head and base.
    if (pulls.some((pull) => pull.head === input.head && pull.base === input.base && pull.state === "open")) return [422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for acme:${input.head}.` }] }];
    const number = 100 + pulls.length;
    const pull: FakePull = { number, title: input.title, body: input.body, base: input.base, head: input.head, draft: input.draft ?? false, state: "open", node_id: `PR_${number}`, html_url: `https://github.com/acme/widgets/pull/${number}` };
    pulls.push(pull);
    return [201, pullJson(pull)];
  });
  scope.patch(/^\/repos\/acme\/widgets\/pulls\/\d+$/).reply((uri, body) => {
    record("PATCH", uri, body);
    const pull = pulls.find((candidate) => candidate.number === Number(uri.split("/").at(-1)));
    if (pull === undefined) return [404, { message: "Not Found" }];
    Object.assign(pull, body);
    return [200, pullJson(pull)];
  });
  // A pull request the command was given on: its head is main's head, in this repository.
  scope.get(/^\/repos\/acme\/widgets\/pulls\/\d+$/).reply(async (uri) => {
    record("GET", uri, null);
    const sha = (await git("rev-parse", "refs/heads/main")).trim();
    const side = { ref: "main", sha, repo: { full_name: "acme/widgets" } };
    const given = options.pullHead;
    const head = given ? { ref: given.branch, sha: (await git("rev-parse", `refs/heads/${given.branch}`)).trim(), repo: { full_name: given.repo } } : side;
    return [200, { number: Number(uri.split("/").at(-1)), head, base: side }];
  });
  scope.get(/^\/repos\/acme\/widgets\/pulls\/\d+\/files(\?.*)?$/).reply((uri) => {
    record("GET", uri, null);
    return [200, (options.pullFiles ?? []).map((filename) => ({ filename, status: "modified" }))];
  });
  scope.get(/^\/repos\/acme\/widgets\/pulls\/\d+\/reviews(\?.*)?$/).reply((uri) => {
    record("GET", uri, null);
    const pull = Number(new URL(uri, API).pathname.split("/").at(-2));
    return [200, reviews.filter((review) => review.pull === pull)];
  });
  scope.post(/^\/repos\/acme\/widgets\/pulls\/\d+\/reviews$/).reply((uri, body) => {
    record("POST", uri, body);
    const input = body as { event: string; body: string };
    const id = nextId++;
    const review: FakeReview = { id, pull: Number(uri.split("/").at(-2)), event: input.event, body: input.body, html_url: `https://github.com/acme/widgets/pull/42#pullrequestreview-${id}` };
    reviews.push(review);
    return [200, review];
  });
  scope.put(/^\/repos\/acme\/widgets\/pulls\/\d+\/reviews\/\d+$/).reply((uri, body) => {
    record("PUT", uri, body);
    const review = reviews.find((candidate) => candidate.id === Number(uri.split("/").at(-1)));
    if (review === undefined) return [404, { message: "Not Found" }];
    review.body = (body as { body: string }).body;
    return [200, review];
  });
  scope.post("/graphql").reply((uri, body) => {
    record("POST", uri, body);
    const query = String((body as { query: string }).query);
    const { id, body: text } = (body as { variables: { id: string; body?: string } }).variables;
    const pull = pulls.find((candidate) => candidate.node_id === id);
    if (pull !== undefined) pull.draft = query.includes("convertPullRequestToDraft");
    if (pull !== undefined && query.includes("updatePullRequest") && text !== undefined) pull.body = text;
    return [200, { data: { pullRequest: { isDraft: pull?.draft ?? false } } }];
  });

  scope.get("/installation/repositories").query(true).reply((uri) => {
    record("GET", uri, null);
    return [200, { total_count: 1, repositories: [{ id: 1296269, name: "widgets", full_name: "acme/widgets" }] }];
  });

  scope.get(/^\/repos\/acme\/widgets\/issues(\?.*)?$/).reply((uri) => {
    record("GET", uri, null);
    const query = new URL(uri, API).searchParams;
    const state = query.get("state") ?? "open";
    const labels = (query.get("labels") ?? "").split(",").filter(Boolean);
    const found = issues.filter(
      (issue) => (state === "all" || issue.state === state) && labels.every((label) => issue.labels.some((candidate) => candidate.name === label)),
    );
    return [200, found];
  });
  scope.post(`${REPO}/issues`).reply((uri, body) => {
    record("POST", uri, body);
    const input = body as { title: string; body?: string; labels?: string[] };
    if ((input.body ?? "").length > BODY_LIMIT) return [422, { message: "body is too long (maximum is 65536 characters)" }];
    const number = 200 + issues.length;
    const issue: FakeIssue = {
      number,
      title: input.title,
      body: input.body ?? "",
      state: "open",
      state_reason: null,
      labels: (input.labels ?? []).map((name) => ({ name })),
      html_url: `https://github.com/acme/widgets/issues/${number}`,
    };
    issues.push(issue);
    return [201, issue];
  });
  scope.get(/^\/repos\/acme\/widgets\/issues\/\d+$/).reply((uri) => {
    record("GET", uri, null);
    const issue = issues.find((candidate) => candidate.number === Number(uri.split("/").at(-1)));
    return issue === undefined ? [404, { message: "Not Found" }] : [200, issue];
  });
  scope.patch(/^\/repos\/acme\/widgets\/issues\/\d+$/).reply((uri, body) => {
    record("PATCH", uri, body);
    const issue = issues.find((candidate) => candidate.number === Number(uri.split("/").at(-1)));
    if (issue === undefined) return [404, { message: "Not Found" }];
    const input = body as Partial<Pick<FakeIssue, "title" | "body" | "state" | "state_reason">>;
    if ((input.body ?? "").length > BODY_LIMIT) return [422, { message: "body is too long (maximum is 65536 characters)" }];
    Object.assign(issue, input);
    return [200, issue];
  });

  const appComments = () => comments.filter((comment) => comment.user.login === bot.login && comment.issue === 42);
  return {
    comments,
    reactions,
    checkRuns,
    pulls,
    reviews,
    issues,
    calls,
    appComments,
    statusComment: (runId) => appComments().find((comment) => comment.body.startsWith(`<!-- dynflow:status run=${runId} -->`)),
    callsTo: (method, path) => calls.filter((call) => call.method === method && path.test(call.path)),
  };
}

function pullJson(pull: FakePull) {
  return { number: pull.number, title: pull.title, body: pull.body, draft: pull.draft, state: pull.state, node_id: pull.node_id, html_url: pull.html_url, base: { ref: pull.base }, head: { ref: pull.head } };
}
