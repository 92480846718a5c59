/**
 * Estimates a plan before a token is spent: the script runs for real in the
 * sandbox, with dynflow's review additions over the real base commit, against
 * simulated agents. It yields the agents, phases, tokens and dollars the plan
 * would use, and how long it would take at the run's concurrency.
 *
 * The simulation takes the expected path: every worker changes something and
 * every refuter upholds it on the first round (each refuted round would add a
 * worker and its refuters). Simulated agents take virtual minutes, so the
 * duration follows the plan's shape (fan-outs, barriers, rounds) and the
 * concurrency cap.
 */
import { costOf, DEFAULT_MODELS, priceFor, type PriceTable, type Role } from "../agents/model/index.js";
import type { ReviewConfig } from "../review/types.js";
import type { WorkflowResolver } from "../runtime/script-host.js";
import {
  totalTokens,
  type AgentPreparer,
  type AgentRequest,
  type AgentResult,
  type AgentRunner,
  type JsonValue,
  type RunErrorInfo,
  type RunLimits,
  type RunStatus,
  type TokenUsage,
} from "../runtime/types.js";
import { createSimulatedRunner } from "./simulated-runner.js";
import { simulateScript } from "./simulate-script.js";
import type { WorkspaceReader } from "../workspace/types.js";
import { createVirtualTime, type VirtualTimeOptions } from "./virtual-time.js";
import { withWebTools } from "../web-tools/with-web-tools.js";
import type { WebToolsConfig } from "../web-tools/web-tools-config.js";

/** What a plan is expected to use. */
export interface PlanEstimate {
  /** How the simulation ended: `capped` or `budget-exhausted` say the real run would stop there too. */
  status: RunStatus;
  error: RunErrorInfo | null;
  agents: number;
  phases: { title: string; agents: number }[];
  usage: TokenUsage;
  tokens: number;
  costUsd: number;
  /** Wall-clock time at `concurrency` agents at once. */
  durationMs: number;
  concurrency: number;
}

export interface EstimatePlanOptions {
  source: string;
  filename: string;
  args: JsonValue | undefined;
  /** The run's repository: `repo.files()` and `repo.modules()` answer from the real base commit. */
  repository: { readOnly(commit: string): Promise<WorkspaceReader> };
  baseCommit: string;
  limits: RunLimits;
  review: ReviewConfig;
  models?: Partial<Record<Role, string>>;
  prices: PriceTable;
  signal?: AbortSignal;
  /** Time a simulated agent takes from its usage. Default `agentDurationMs`. */
  durationOf?: (usage: TokenUsage) => number;
  virtualTime?: VirtualTimeOptions;
  /** Finds the workflows the script starts with `workflow(name)`; without it such a call fails. */
  resolveWorkflow?: WorkflowResolver;
  /** The run's agent setup (agent types, model shortcuts, prices), as the real run will use it. */
  prepareAgent?: AgentPreparer;
  /** The run's web tools: their uses are priced into the estimate. */
  web?: WebToolsConfig;
}

/** Model time per output token and per agent, for durations: ~40 tokens/s plus tool and start-up time. */
const MS_PER_OUTPUT_TOKEN = 25;
const MS_PER_AGENT = 10_000;

/** A typical agent's duration for its usage. */
export function agentDurationMs(usage: TokenUsage): number {
  return MS_PER_AGENT + usage.output * MS_PER_OUTPUT_TOKEN;
}

/** Runs the script against simulated agents; never calls a model. */
export async function estimatePlan(options: EstimatePlanOptions): Promise<PlanEstimate> {
  const models = { ...DEFAULT_MODELS, ...options.models };
  const time = createVirtualTime(options.virtualTime);
  const durationOf = options.durationOf ?? agentDurationMs;
  const simulated = createSimulatedRunner({
    defaultModel: models.worker,
    items: 3,
    priceOf: (usage, model) => costOf(usage, priceFor(model, options.prices)),
  });
  const simulatedRun: AgentRunner = {
    async run(request: AgentRequest): Promise<AgentResult> {
      const role = request.options.role ?? "worker";
      const result = await simulated.run({ ...request, options: { ...request.options, model: request.options.model ?? models[role] } });
      await time.sleep(durationOf(result.usage), request.signal);
      return expectedPath(request, result, options.baseCommit);
    },
  };
  const runner = withWebTools(simulatedRun, options.web);
  const outcome = await simulateScript({
    runId: "estimate",
    source: options.source,
    filename: options.filename,
    args: options.args,
    repository: options.repository,
    baseCommit: options.baseCommit,
    review: options.review,
    runner,
    limits: options.limits,
    signal: options.signal,
    resolveWorkflow: options.resolveWorkflow,
    prepareAgent: options.prepareAgent,
  });
  return {
    status: outcome.status,
    error: outcome.error,
    agents: outcome.stats.total,
    phases: outcome.phases,
    usage: outcome.usage,
    tokens: totalTokens(outcome.usage),
    costUsd: outcome.costUsd,
    durationMs: time.now(),
    concurrency: options.limits.maxConcurrency,
  };
}

/** A worker that changed a file; a refuter that upheld the change. */
function expectedPath(request: AgentRequest, result: AgentResult, baseCommit: string): AgentResult {
  switch (request.options.role ?? "worker") {
    case "worker":
      return {
        ...result,
        change: {
          branch: `simulated/${request.agentId}`,
          commit: "0".repeat(40),
          base: baseCommit,
          files: [{ path: "simulated", status: "modified", additions: 1, deletions: 1 }],
          additions: 1,
          deletions: 1,
          incomplete: false,
        },
      };
    case "refuter":
      return { ...result, output: { verdict: "upheld", evidence: "simulated: the expected path upholds every change" } };
    case "resolver":
      return result;
  }
}
