/**
 * What the "executed once" tests share: a repository whose workflow fans out
 * to a few modules, a fake model whose workers wait at their first call until
 * the test opens a gate, and readers of what GitHub and the model saw.
 */
import type { FakeAnthropic, RecordedRequest } from "../fakes/fake-anthropic.js";
import { reply } from "../fakes/fake-anthropic.js";
import type { FakeGitHubServer } from "../fakes/fake-github-server.js";
import { tagModulesFiles } from "../durability/app-processes.js";

export const MODULES = ["m0", "m1"];

export const FILES = { "README.md": "# modules\n", ...tagModulesFiles(MODULES, 1) };

/** A gate the workers' first model calls wait behind. */
export interface Gate {
  open(): void;
  readonly opened: Promise<void>;
}

export function gate(): Gate {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Scripts `model`: each worker's first call waits for `held`, then writes its module; refuters uphold. */
export function scriptModel(model: FakeAnthropic, held: Gate): void {
  model.handle(async (request) => {
    const { role, module } = agentOf(request);
    if (role === "refuter") return reply.toolUse("finish", { summary: "read the diff", result: { verdict: "upheld", evidence: `only src/${module}/index.ts changed` } });
    if (request.body.messages.length > 1) return reply.toolUse("finish", { summary: `Tagged src/${module}/index.ts.`, result: `tagged ${module}` });
    await held.opened;
    return reply.toolUse("write_file", { path: `src/${module}/index.ts`, content: `// version 2\nexport const name = "${module}";\n` });
  });
}

export function agentOf(request: RecordedRequest): { role: "worker" | "refuter"; module: string } {
  const system = JSON.stringify(request.body.system ?? "");
  const first = JSON.stringify(request.body.messages[0] ?? "");
  const role = system.includes("You are a worker agent") ? "worker" : system.includes("You are a refuter agent") ? "refuter" : null;
  const module = /Tag (m\d) with/.exec(first)?.[1] ?? /src\/(m\d)\/index\.ts/.exec(first)?.[1];
  if (role === null || module === undefined) throw new Error(`not an agent request of this test: ${first.slice(0, 300)}`);
  return { role, module };
}

/** Model calls per agent (the refuters of one module share a key). */
export function countByAgent(requests: RecordedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) {
    const { role, module } = agentOf(request);
    counts[`${role} ${module}`] = (counts[`${role} ${module}`] ?? 0) + 1;
  }
  return counts;
}

/** Each agent of a run executed once: two calls per worker (write, finish), one per refuter. */
export const ONCE = Object.fromEntries(MODULES.flatMap((m) => [[`worker ${m}`, 2], [`refuter ${m}`, 1]]));

/** Every body the status comment of `repo` issue `issue` had, in order: its creation, then each edit. */
export function statusCommentHistory(github: FakeGitHubServer, repo: string, issue: number): string[] {
  const created = github.comments.find((comment) => comment.repo === repo && comment.issue === issue);
  if (created === undefined) return [];
  const bodyOf = (body: unknown) => String((body as { body?: unknown } | null)?.body ?? "");
  const first = github.callsTo("POST", new RegExp(`^/repos/${repo}/issues/${issue}/comments$`)).map((call) => bodyOf(call.body));
  const edits = github.callsTo("PATCH", new RegExp(`^/repos/${repo}/issues/comments/${created.id}$`)).map((call) => bodyOf(call.body));
  return [...first, ...edits];
}

/** Whether a status comment's headline says the run finished / failed. */
export const saysFinished = (body: string): boolean => /✅ dynflow run `[^`]+` finished/.test(body);
export const saysFailed = (body: string): boolean => /❌ dynflow run `[^`]+` failed/.test(body);

/** Whether a process's log says it queued a step of `runId` (pino JSON lines at level info). */
export function loggedQueued(stderr: string, runId: string, step: string): boolean {
  return stderr.split("\n").some((line) => line.includes('"run step queued"') && line.includes(`"runId":"${runId}"`) && line.includes(`"step":"${step}"`) && !line.includes('"added":false'));
}

/** Whether a process's log says restart recovery ran. */
export const loggedRecovery = (stderr: string): boolean => stderr.includes("unfinished runs queued again after a restart");
