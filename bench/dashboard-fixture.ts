/**
 * A 1,000-agent run as the dashboard reads it, made the way a real one is:
 * a plan script runs in the sandbox (500 workers, then 500 refuters judging
 * their changes), its events are stored as the app stores them, and each
 * agent records a transcript of realistic size through the recorder (a
 * prompt, four turns, eight tool calls, an ending with a diff). The report
 * is a synthetic one of the real report's shape (a row per line of work).
 */
import { createHash } from "node:crypto";
import { runScript } from "../src/runtime/run-script.js";
import type { AgentRequest, AgentResult, AgentRunner, RunEvent } from "../src/runtime/types.js";
import type { RunRecord, Store } from "../src/store/types.js";
import type { TranscriptRecorder } from "../src/transcripts/types.js";

export const WORKERS = 500;

const USAGE = { input: 2_400, output: 380, cacheWrite: 0, cacheRead: 14_000 };
const SYSTEM = `You are a worker agent of dynflow. ${"Follow the assignment exactly; explore before you edit; claim nothing you did not do. ".repeat(20)}`;
const TASK = `# The run's task\n\nMove every caller of fetchJson to client.get across ${WORKERS} modules.`;
const FILE = Array.from({ length: 60 }, (_, i) => `${i + 1}\texport const value${i} = fetchJson("/api/items/${i}").then((r) => r.items);`).join("\n");
const DIFF = ["diff --git a/src/m/index.ts b/src/m/index.ts", "--- a/src/m/index.ts", "+++ b/src/m/index.ts", "@@ -1,40 +1,40 @@", ...Array.from({ length: 40 }, (_, i) => `-export const value${i} = fetchJson("/api/items/${i}");\n+export const value${i} = client.get("/api/items/${i}");`)].join("\n");

/** What one agent records: what a real worker or refuter of a migration records. */
export function recordTypicalAgent(recorder: TranscriptRecorder, request: Pick<AgentRequest, "runId" | "agentId" | "label">, role: "worker" | "refuter"): void {
  // A worker's change and the refuter judging it share the module's number, so each change has its own refuter.
  const commit = createHash("sha1").update(request.label.split(" ")[0] ?? "").digest("hex");
  const t = recorder.open({ runId: request.runId, agentId: request.agentId, label: request.label, role, attempt: 1, judges: role === "refuter" ? commit : null });
  t.prompt({ model: "claude-sonnet-4-5", system: SYSTEM, shared: TASK, prompt: `# Your assignment\n\n${request.label}: migrate its callers of fetchJson to client.get.\n\n## Write scope\n\nsrc/**` });
  for (let turn = 1; turn <= 4; turn++) {
    t.turn({ turn, usage: USAGE, costUsd: 0.012, stopReason: turn < 4 ? "tool_use" : "end_turn", text: "Reading the module and its callers before changing them. ".repeat(5), ms: 1800 });
    t.tool({ turn, name: "read_file", input: { path: `src/${request.label}/index.ts` }, output: FILE, isError: false, ms: 3 });
    t.tool({ turn, name: "edit_file", input: { path: `src/${request.label}/index.ts`, old_text: "fetchJson(", new_text: "client.get(" }, output: "Edited 1 place.", isError: false, ms: 4 });
  }
  t.end({
    status: "finished",
    output: role === "refuter" ? { verdict: "upheld", evidence: "Every call site now uses client.get with the same URL; no fetchJson import is left." } : `migrated ${request.label}`,
    summary: "Replaced every fetchJson call with client.get and removed the import.",
    change: role === "worker" ? { branch: `dynflow/bench-work/${request.label}`, commit, base: "b".repeat(40), files: [{ path: `src/${request.label}/index.ts`, status: "modified", additions: 40, deletions: 40 }], additions: 40, deletions: 40, incomplete: false } : null,
    diff: role === "worker" ? DIFF : null,
    usage: USAGE,
    costUsd: 0.05,
    turns: 4,
  });
}

export const FIXTURE_SCRIPT = `export const meta = { name: "migrate-modules", description: "Move every caller of fetchJson to client.get", phases: [{ title: "Migrate" }, { title: "Refute" }] }
phase("Migrate")
const changed = await parallel(Array.from({ length: ${WORKERS} }, (_, i) => () => agent("Migrate module " + i + " from fetchJson to client.get", { label: "module-" + i })))
phase("Refute")
const verdicts = await parallel(Array.from({ length: ${WORKERS} }, (_, i) => () => agent("Try to refute the change to module " + i, { label: "module-" + i + " · refuter 1", role: "refuter" })))
return verdicts.length`;

/** A synthetic report of the real one's shape: a summary and a row per line of work. */
function reportOf(): string {
  const rows = Array.from({ length: WORKERS }, (_, i) => `| module-${i} | accepted | 1 | upheld | +40 −40 |`);
  return [`## dynflow run \`bench\``, "", `${WORKERS} lines of work converged; ${WORKERS} changes merged into \`dynflow/bench\`.`, "", "| line | status | rounds | verdicts | change |", "|---|---|---|---|---|", ...rows].join("\n");
}

/**
 * Runs the fixture into `store` under `runId`: the run record, its events, its
 * transcripts and report. With `live`, the run record stays `running` and its
 * final event is left out, as a run still executing.
 */
export async function makeThousandAgentRun(store: Store, recorder: TranscriptRecorder, runId: string, options: { live?: boolean } = {}): Promise<RunRecord> {
  await store.runs.create({ id: runId, installationId: 1, owner: "acme", repo: "shop", kind: "task", status: "running", task: "Move every caller of fetchJson to client.get", script: FIXTURE_SCRIPT, plan: { estimate: { costUsd: 48 } } });
  const runner: AgentRunner = {
    async run(request): Promise<AgentResult> {
      const role = request.options.role === "refuter" ? "refuter" : "worker";
      recordTypicalAgent(recorder, request, role);
      await new Promise((resolve) => setTimeout(resolve, 2));
      return { output: role === "refuter" ? { verdict: "upheld", evidence: "ok" } : "done", usage: USAGE, costUsd: 0.05 };
    },
  };
  let stored: Promise<unknown> = Promise.resolve();
  const append = (event: RunEvent) => {
    stored = stored.then(() => store.events.append(runId, event));
  };
  const outcome = await runScript({
    runId,
    source: FIXTURE_SCRIPT,
    baseRevision: "bench",
    runner,
    limits: { maxAgents: 2 * WORKERS, maxConcurrency: 16 },
    onEvent: (event) => {
      if (!(options.live && event.type === "run.finished")) append(event);
    },
  });
  if (outcome.status !== "ok") throw new Error(`the fixture run failed: ${JSON.stringify(outcome.error)}`);
  recorder.document(runId, "report", reportOf());
  await stored;
  await recorder.flush();
  if (options.live) return (await store.runs.get(runId)) as RunRecord;
  return store.runs.update(runId, { status: "ok", result: { agents: outcome.stats.total, costUsd: outcome.costUsd, branch: "dynflow/bench", commit: "c".repeat(40) } });
}
