/**
 * Runs a plan script against simulated agents, wired the way a real run is
 * (the sandbox, dynflow's review additions over the repository at the base
 * commit, the run's caps), so a preview shows what the real run would do.
 * The one wiring behind the estimate of a plan (`estimatePlan`) and
 * `dynflow simulate`; each brings its own simulated runner.
 */
import { createReviewExtension } from "../review/create-review-extension.js";
import type { ReviewConfig } from "../review/types.js";
import { runScript } from "../runtime/run-script.js";
import type { WorkflowResolver } from "../runtime/script-host.js";
import type { AgentPreparer, AgentRunner, JsonValue, RunEvent, RunLimits, RunOutcome, SandboxLimits } from "../runtime/types.js";
import type { WorkspaceReader } from "../workspace/index.js";

export interface SimulateScriptOptions {
  /** Names the simulated run in its events and agents' branches. */
  runId: string;
  source: string;
  filename: string;
  args: JsonValue | undefined;
  /** The repository `repo.files()` and `repo.modules()` answer from, at `baseCommit`. */
  repository: { readOnly(commit: string): Promise<WorkspaceReader> };
  baseCommit: string;
  review: ReviewConfig;
  /** A runner that spends no tokens (`createSimulatedRunner`, or one built on it). */
  runner: AgentRunner;
  limits?: Partial<RunLimits>;
  sandbox?: Partial<SandboxLimits>;
  signal?: AbortSignal;
  /** Finds the workflows the script starts with `workflow(name)`; without it such a call fails. */
  resolveWorkflow?: WorkflowResolver;
  /** Resolves agent types, model shortcuts and prices as the real run does. */
  prepareAgent?: AgentPreparer;
  onEvent?: (event: RunEvent) => void;
  /** Names of the repository's configured commands: `check()` on them passes at no cost. */
  checks?: readonly string[];
}

/** The simulated run's outcome; never calls a model. */
export function simulateScript(options: SimulateScriptOptions): Promise<RunOutcome> {
  const names = options.checks ?? [];
  // A simulated check costs nothing and passes: commands never run in a preview.
  const checks = { names, run: async (name: string) => ({ passed: true, exitCode: 0, output: "", command: name }) };
  const { extension } = createReviewExtension({ repository: options.repository, baseCommit: options.baseCommit, config: options.review, checks });
  return runScript({
    runId: options.runId,
    source: options.source,
    filename: options.filename,
    args: options.args,
    baseRevision: options.baseCommit,
    runner: options.runner,
    limits: options.limits,
    sandbox: options.sandbox,
    signal: options.signal,
    extensions: [extension],
    resolveWorkflow: options.resolveWorkflow,
    prepareAgent: options.prepareAgent,
    onEvent: options.onEvent,
  });
}
