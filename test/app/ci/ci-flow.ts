/**
 * What the CI end-to-end tests share: repositories whose `.github/dynflow.yml`
 * asks for CI, a saved workflow that changes one file, a fake model whose
 * workers break or repair it, and the webhooks the repository's CI sends
 * when its checks complete.
 */
import type { FakeAnthropic, RecordedRequest } from "../../fakes/fake-anthropic.js";
import { reply } from "../../fakes/fake-anthropic.js";
import type { FakeGitHubServer } from "../../fakes/fake-github-server.js";
import { commentPayload, deliverWebhook, makeRemote, until } from "../../durability/app-processes.js";
import type { CiWait, Store } from "../../../src/store/index.js";

export const OWNER = "acme";
export const INSTALLATION = 77;
/** The repository id every fake repository's webhooks carry. */
export const REPO_ID = 1;

/** Repository `repo` as webhooks carry it. */
export function repositoryPayload(repo: string) {
  return { id: REPO_ID, name: repo, full_name: `${OWNER}/${repo}`, owner: { login: OWNER, type: "Organization" }, default_branch: "main", private: false };
}

const WORKFLOW = `export const meta = { name: "tidy", description: "Give src/calc.ts a header", phases: [{ title: "Tidy" }] };
phase("Tidy");
const result = await converge("Give src/calc.ts a header comment", { label: "calc", write: ["src/**"] });
return result.status;
`;

/** The broken file the run's worker leaves (the header is the task; the bug is what CI finds). */
export const BROKEN = "// calc: small arithmetic\nexport const add = (a: number, b: number) => a - b;\n";
/** What a repair worker writes. */
export const FIXED = "// calc: small arithmetic\nexport const add = (a: number, b: number) => a + b;\n";

/** Files of a repository whose config is `ci` (YAML under `ci:`). */
export function repoFiles(ci: string): Record<string, string> {
  return {
    "README.md": "# calc\n",
    "src/calc.ts": "export const add = (a: number, b: number) => a - b;\n",
    ".claude/workflows/tidy.js": WORKFLOW,
    ".github/dynflow.yml": `approval: never\nrefuters: 1\nrounds: 1\nci:\n${ci}`,
  };
}

/** A workflow of two changes, the second of which its refuter refutes: the run's own result is a draft. */
export const PARTIAL_WORKFLOW = `export const meta = { name: "tidy", description: "Give src/calc.ts a header", phases: [{ title: "Tidy" }] };
phase("Tidy");
const calc = await converge("Give src/calc.ts a header comment", { label: "calc", write: ["src/calc.ts"] });
const other = await converge("Give src/other.ts a header comment", { label: "other", write: ["src/other.ts"] });
return [calc.status, other.status];
`;

/** Adds repository `repo` to the fake GitHub with the files of `repoFiles(ci)` and `extra`. */
export async function addCiRepository(github: FakeGitHubServer, work: string, repo: string, ci: string, extra: Record<string, string> = {}): Promise<string> {
  const bare = await makeRemote(work, repo, { ...repoFiles(ci), ...extra });
  github.addRepository({ owner: OWNER, repo, installationId: INSTALLATION, bareDir: bare });
  return bare;
}

/** Whether a model request is a CI repair worker's (its assignment names the failed CI). */
export function isRepair(request: RecordedRequest): boolean {
  return JSON.stringify(request.body.messages[0] ?? "").includes("The repository's CI failed on commit");
}

/** Workers write the broken file, repair workers the fixed one; refuters uphold everything. */
export function handleModel(model: FakeAnthropic): void {
  model.handle((request) => {
    const system = JSON.stringify(request.body.system ?? "");
    const other = JSON.stringify(request.body.messages[0] ?? "").includes("src/other.ts");
    if (system.includes("You are a refuter agent")) {
      if (other) return reply.toolUse("finish", { summary: "read the diff", result: { verdict: "refuted", evidence: "src/other.ts gained no header" } });
      return reply.toolUse("finish", { summary: "read the diff", result: { verdict: "upheld", evidence: "src/calc.ts changes as asked" } });
    }
    if (!system.includes("You are a worker agent")) throw new Error(`not an agent request of this test: ${system.slice(0, 200)}`);
    if (request.body.messages.length > 1) return reply.toolUse("finish", { summary: "done", result: "updated" });
    if (other) return reply.toolUse("write_file", { path: "src/other.ts", content: "export const other = 1;\n" });
    return reply.toolUse("write_file", { path: "src/calc.ts", content: isRepair(request) ? FIXED : BROKEN });
  });
}

let commentIds = 9500;

/** Asks for a run of the saved workflow on issue 7 of `repo`; resolves the run id once recorded. */
export async function startRun(port: number, store: Store, repo: string): Promise<string> {
  const commentId = ++commentIds;
  const payload = commentPayload({ owner: OWNER, repo, installationId: INSTALLATION, issue: 7, commentId, body: "/dynflow run tidy" });
  expectStatus(await deliverWebhook(port, { id: `ci-comment-${commentId}`, name: "issue_comment", payload }));
  await until(async () => (await store.runs.findByCommandComment(commentId)) !== undefined, "the run record");
  return (await store.runs.findByCommandComment(commentId))!.id;
}

/** Resolves the run's CI wait once `done` holds for it. */
export async function waitFor(store: Store, runId: string, what: string, done: (wait: CiWait) => boolean, timeoutMs = 120_000): Promise<CiWait> {
  await until(async () => {
    const wait = await store.ciWaits.get(runId);
    return wait !== undefined && done(wait);
  }, what, timeoutMs, 100);
  return (await store.ciWaits.get(runId))!;
}

let deliveries = 0;

/** Sends the webhook CI sends when something completed on `headSha`. */
export async function ciCompleted(port: number, repo: string, headSha: string, name: "check_suite" | "check_run" | "workflow_run" = "check_suite"): Promise<void> {
  const body = { head_sha: headSha, status: "completed", conclusion: "success", id: 1 };
  const payload = {
    action: "completed",
    [name]: name === "check_run" ? { ...body, name: "test", check_suite: { id: 1, head_sha: headSha } } : body,
    repository: repositoryPayload(repo),
    sender: { login: "github-actions[bot]", id: 41898282, type: "Bot" },
    installation: { id: INSTALLATION },
  };
  expectStatus(await deliverWebhook(port, { id: `ci-event-${++deliveries}`, name, payload }));
}

/** Sends the `status` webhook a CI system sends when it sets a commit status on `headSha`. */
export async function statusSet(port: number, repo: string, headSha: string, context: string, state: "pending" | "success" | "failure" | "error"): Promise<void> {
  const payload = {
    id: ++deliveries,
    sha: headSha,
    name: `${OWNER}/${repo}`,
    context,
    state,
    description: null,
    target_url: null,
    branches: [],
    repository: repositoryPayload(repo),
    sender: { login: "jenkins[bot]", id: 5, type: "Bot" },
    installation: { id: INSTALLATION },
  };
  expectStatus(await deliverWebhook(port, { id: `ci-status-${deliveries}`, name: "status", payload }));
}

function expectStatus(status: number): void {
  if (status !== 200 && status !== 202) throw new Error(`the webhook was answered ${status}`);
}
