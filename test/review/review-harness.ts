/**
 * Runs plan scripts through the real `runScript` with the review extension and
 * a scripted agent runner, for the review extension's tests.
 */
import { runScript } from "../../src/runtime/run-script.js";
import type { AgentRequest, AgentResult, AgentRunner, ChangeRef, Journal, JsonValue, RunLimits } from "../../src/runtime/types.js";
import { createReviewExtension } from "../../src/review/create-review-extension.js";
import type { ReviewConfig } from "../../src/review/types.js";
import type { WorkspaceReader } from "../../src/workspace/types.js";
import { usage } from "../fakes/controlled-runner.js";

export const BASE = "b".repeat(40);
export const META = `export const meta = { name: "review-test", description: "review extension test" }\n`;

/** A change's metadata as a runner reports it (no git behind it). */
export function fakeChange(slug: string, paths: string[] = [`src/${slug}/index.ts`]): ChangeRef {
  return {
    branch: `dynflow/r1/${slug}`,
    commit: slug.padEnd(40, "0").replace(/[^0-9a-f]/g, "a").slice(0, 40),
    base: BASE,
    files: paths.map((path) => ({ path, status: "modified", additions: 3, deletions: 1 })),
    additions: 3 * paths.length,
    deletions: paths.length,
    incomplete: false,
  };
}

/** What a scripted agent does: finish with output (and a change), or fail. */
export type Answer = { output: JsonValue; change?: ChangeRef | null } | { fail: string };

/** A runner that answers every request with `answer(request)`, recording the requests. */
export function scriptedRunner(answer: (request: AgentRequest) => Answer): AgentRunner & { calls: AgentRequest[] } {
  const calls: AgentRequest[] = [];
  return {
    calls,
    async run(request): Promise<AgentResult> {
      calls.push(request);
      const reply = answer(request);
      if ("fail" in reply) throw new Error(reply.fail);
      return { output: reply.output, usage: usage(100, 10), costUsd: 0.01, change: reply.change ?? null };
    },
  };
}

/** A verdict as a refuter answers it. */
export const verdict = (v: "refuted" | "upheld", evidence: string): Answer => ({ output: { verdict: v, evidence } });

/** The claim a refuter request reviews. */
export function claimOf(request: AgentRequest): string {
  const subject = request.options.subject as { claim?: string } | undefined;
  return subject?.claim ?? "";
}

/** A repository stand-in for tests that never read files (a failing read shows a test is wrong). */
const noRepository = {
  readOnly(): Promise<WorkspaceReader> {
    return Promise.reject(new Error("this test does not read the repository"));
  },
};

export interface ReviewRunOptions {
  runner: AgentRunner;
  config?: Partial<ReviewConfig>;
  limits?: Partial<RunLimits>;
  journal?: Journal;
  repository?: { readOnly(commit: string): Promise<WorkspaceReader> };
  /** Base commit of the run (default a made-up id; give a real one with a real repository). */
  base?: string;
}

export async function runWithReview(source: string, options: ReviewRunOptions) {
  const { extension, review } = createReviewExtension({
    repository: options.repository ?? noRepository,
    baseCommit: options.base ?? BASE,
    config: { refutersPerClaim: 2, maxRounds: 3, ...options.config },
  });
  const outcome = await runScript({
    runId: "r1",
    source: `${META}${source}`,
    baseRevision: options.base ?? BASE,
    runner: options.runner,
    journal: options.journal,
    limits: options.limits,
    extensions: [extension],
  });
  return { outcome, review, results: review.outcomes(outcome) };
}
