/**
 * Bad input at the edges, against the app in a process of its own (the
 * embedded shape: one process, SQLite), over signed HTTP webhooks as GitHub
 * sends them:
 * - a validly signed `issue_comment.created` without a part dynflow acts on
 *   (`comment`, `issue`, `repository`, `sender`), or any other event it
 *   handles without what its handler reads, is answered 400 with a log line
 *   naming what is missing, not 500 with an internal TypeError;
 * - arguments nested 100,000 levels deep, and a task of 1 MB, are refused
 *   before any parsing or recording, with a reply that says the limit;
 * - `_extends` naming a repository that does not exist is reported like any
 *   other config error, and no run starts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/fake-anthropic.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../fakes/fake-github-server.js";
import { removeDir, tempDir } from "../workspace/git-fixture.js";
import { commentPayload, deliverWebhook, makeRemote, until } from "../durability/app-processes.js";
import { startDeployment, type Deployment } from "../durability/deployment.js";

const WORKFLOW = `export const meta = { name: "echo", description: "Echo the args" };
return args;
`;

describe("bad input at the edges of the app", () => {
  let work: string;
  let github: FakeGitHubServer;
  let model: FakeAnthropic;
  let deployment: Deployment | undefined;

  beforeAll(async () => {
    work = await tempDir("dynflow-bad-input-");
    github = await startFakeGitHubServer();
    github.addRepository({ owner: "acme", repo: "widgets", installationId: 61, bareDir: await makeRemote(work, "widgets", { ".claude/workflows/echo.js": WORKFLOW, "README.md": "# w\n" }) });
    github.addRepository({
      owner: "acme",
      repo: "extends-missing",
      installationId: 61,
      bareDir: await makeRemote(work, "extends-missing", { ".github/dynflow.yml": "_extends: acme/no-such-repo\nrefuters: 1\n", "README.md": "# e\n" }),
    });
    model = await startFakeAnthropic({ prefixDelayMs: 5 });
    deployment = await startDeployment({ shape: "embedded", github, model, work, env: { LOG_LEVEL: "warn" } });
  }, 120_000);

  afterAll(async () => {
    await deployment?.close();
    await model?.close();
    await github?.close();
    await removeDir(work);
  });

  const valid = (commentId: number, body: string, repo = "widgets") =>
    commentPayload({ owner: "acme", repo, installationId: 61, issue: commentId % 100, commentId, body }) as Record<string, unknown>;

  it.each(["comment", "issue", "repository", "sender"])("answers 400 to a signed comment webhook without `%s`, and logs what is missing", async (part) => {
    const payload = valid(7000, "/dynflow run echo");
    delete payload[part];
    const status = await deliverWebhook(deployment!.port, { id: `bad-${part}`, name: "issue_comment", payload });
    expect(status).toBe(400);
    await until(() => deployment!.web.stderr().includes(`"delivery":"bad-${part}"`), "the log line of the rejected delivery", 30_000, 50);
    const line = deployment!.web.stderr().split("\n").find((text) => text.includes(`"delivery":"bad-${part}"`))!;
    expect(line).toContain("webhook payload rejected");
    expect(line).toContain(part);
    expect(deployment!.web.stderr()).not.toContain("TypeError");
  });

  // Every other event dynflow acts on, each without a part its handler reads.
  const repository = { id: 1, name: "widgets", full_name: "acme/widgets", owner: { login: "acme" }, default_branch: "main" };
  it.each([
    ["push", "repository", { ref: "refs/heads/main", commits: [], installation: { id: 61 } }],
    ["push", "repository.full_name", { ref: "refs/heads/main", repository: { ...repository, full_name: 7 }, installation: { id: 61 } }],
    ["status", "repository", { sha: "a".repeat(40), state: "success", context: "ci", installation: { id: 61 } }],
    ["check_suite", "repository.owner", { action: "completed", check_suite: { head_sha: "a".repeat(40) }, repository: { name: "widgets" }, installation: { id: 61 } }],
    ["installation_repositories", "repositories_added.0.full_name", { action: "added", installation: { id: 61 }, repositories_added: [{ name: "widgets" }] }],
    ["installation", "installation", { action: "created", repositories: [] }],
    ["pull_request", "pull_request.head", { action: "closed", pull_request: { number: 3 }, repository, installation: { id: 61 } }],
  ] as const)("answers 400 to a signed %s webhook without `%s`, and logs what is missing", async (name, missing, payload) => {
    const id = `bad-${name}-${missing}`;
    const status = await deliverWebhook(deployment!.port, { id, name, payload: { sender: { login: "octocat", id: 1, type: "User" }, ...payload } });
    expect(status).toBe(400);
    await until(() => deployment!.web.stderr().includes(`"delivery":"${id}"`), "the log line of the rejected delivery", 30_000, 50);
    const line = deployment!.web.stderr().split("\n").find((text) => text.includes(`"delivery":"${id}"`))!;
    expect(line).toContain("webhook payload rejected");
    expect(line).toContain(missing);
    expect(deployment!.web.stderr()).not.toContain("TypeError");
  });

  it("answers 400 to a comment whose parts have the wrong types", async () => {
    const payload = valid(7001, "/dynflow run echo");
    payload.comment = { id: "seven", body: 42 };
    expect(await deliverWebhook(deployment!.port, { id: "bad-types", name: "issue_comment", payload })).toBe(400);
  });

  it("refuses arguments nested 100,000 deep with a reply that says the limit, and records no run", async () => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    expect(await deliverWebhook(deployment!.port, { id: "deep-args", name: "issue_comment", payload: valid(7102, `/dynflow run echo ${deep}`) })).toBe(200);
    const reply = await replyOn(github, 2);
    expect(reply).toMatch(/nest(ed)? .*100,000 levels.*at most 64/is);
    expect(await deployment!.store.runs.findByCommandComment(7102)).toBeUndefined();
  });

  it("refuses a 1 MB task with a reply that says the limit, and records no run", async () => {
    const task = `migrate ${"x".repeat(1024 * 1024)}`;
    expect(await deliverWebhook(deployment!.port, { id: "huge-task", name: "issue_comment", payload: valid(7103, `/dynflow run ${task}`) })).toBe(200);
    const reply = await replyOn(github, 3);
    expect(reply).toMatch(/1,048,5\d\d characters.*at most 65,536/is);
    expect(reply.length).toBeLessThan(4000);
    expect(await deployment!.store.runs.findByCommandComment(7103)).toBeUndefined();
  });

  it("reports an `_extends` to a repository that does not exist as a config error, and starts no run", async () => {
    expect(await deliverWebhook(deployment!.port, { id: "extends-missing", name: "issue_comment", payload: valid(7104, "/dynflow run echo", "extends-missing") })).toBe(200);
    const reply = await replyOn(github, 4, "acme/extends-missing");
    expect(reply).toContain("_extends");
    expect(reply).toContain("acme/no-such-repo");
    expect(await deployment!.store.runs.findByCommandComment(7104)).toBeUndefined();
  });
});

/** The app's first comment on `repo#issue`. */
async function replyOn(github: FakeGitHubServer, issue: number, repo = "acme/widgets"): Promise<string> {
  await until(() => github.comments.some((comment) => comment.repo === repo && comment.issue === issue), `a reply on ${repo}#${issue}`, 60_000, 50);
  return github.comments.find((comment) => comment.repo === repo && comment.issue === issue)!.body;
}
