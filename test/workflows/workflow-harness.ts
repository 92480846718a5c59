/**
 * Runs a bundled workflow through the real `runScript` with the review
 * extension, a scripted agent runner and a repository that lists `files`.
 */
import { createReviewExtension } from "../../src/review/create-review-extension.js";
import { runScript } from "../../src/runtime/run-script.js";
import type { AgentRequest, AgentRunner, JsonValue } from "../../src/runtime/types.js";
import type { WorkspaceReader } from "../../src/workspace/types.js";
import { readBundledWorkflow } from "../../src/workflows/bundled-workflows.js";
import { BASE, scriptedRunner, type Answer } from "../review/review-harness.js";

export { BASE, fakeChange, verdict, type Answer } from "../review/review-harness.js";

/** A read-only view that lists `files` (reading is never needed: agents are scripted). */
function listing(files: string[]): { readOnly(): Promise<WorkspaceReader> } {
  const reader: WorkspaceReader = {
    baseCommit: BASE,
    list: async () => [...files].sort(),
    read: async (path) => {
      throw new Error(`this test does not read ${path}`);
    },
    search: async () => [],
  };
  return { readOnly: async () => reader };
}

export interface BundledRun {
  args?: JsonValue;
  files?: string[];
  answer: (request: AgentRequest) => Answer;
}

/** Runs workflow `name` with scripted agents; returns the outcome and every agent request. */
export async function runBundled(name: string, run: BundledRun) {
  const workflow = await readBundledWorkflow(name);
  if (!workflow) throw new Error(`no bundled workflow ${name}`);
  const runner: AgentRunner & { calls: AgentRequest[] } = scriptedRunner(run.answer);
  const { extension, review } = createReviewExtension({
    repository: listing(run.files ?? []),
    baseCommit: BASE,
    config: { refutersPerClaim: 2, maxRounds: 3 },
  });
  const outcome = await runScript({
    runId: "r1",
    source: workflow.source,
    filename: workflow.filename,
    args: run.args,
    baseRevision: BASE,
    runner,
    extensions: [extension],
  });
  return { outcome, calls: runner.calls, lines: review.outcomes(outcome) };
}

/** The claim a refuter request reviews. */
export function claimOf(request: AgentRequest): string {
  return (request.options.subject as { claim?: string } | undefined)?.claim ?? "";
}

export const isRole = (role: string) => (request: AgentRequest) => (request.options.role ?? "worker") === role;
