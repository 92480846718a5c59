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
 *
 * The estimate runs before anyone approves anything, so its own cost is
 * bounded: simulated values are clamped in size (see synthesize-value.ts),
 * their total size across the estimate is capped, and so is the real time it
 * may take. Past either bound the estimate ends as an error, and the run then
 * waits for approval like any plan that cannot be estimated.
 */
import { DynflowError } from "../errors.js";
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
import { compileGlobs } from "../workspace/index.js";
import { createSimulatedRunner, pseudoCommit } from "./simulated-runner.js";
import { simulateScript } from "./simulate-script.js";
import { MAX_SYNTHETIC_SIZE } from "./synthesize-value.js";
import type { WorkspaceReader } from "../workspace/index.js";
import { createVirtualTime, type VirtualTimeOptions } from "./virtual-time.js";
import { withWebTools } from "../web-tools/with-web-tools.js";
import type { WebToolsConfig } from "../web-tools/web-tools-config.js";
import { timeStage } from "../timing/stage-timer.js";

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
  /** Names of the repository's configured commands: `check()` passes at no cost in the estimate. */
  checks?: readonly string[];
  /** The run's id, so simulated branches look like the real ones. Default `estimate`. */
  runId?: string;
  /** Bounds on the estimate's own work; defaults `ESTIMATE_WORK_LIMITS`. */
  work?: Partial<EstimateWorkLimits>;
}

/** What one estimate may cost the host. */
export interface EstimateWorkLimits {
  /** Array elements plus string characters of every simulated value together. */
  syntheticSize: number;
  /** Real milliseconds the whole simulation may take. */
  wallMs: number;
}

export const ESTIMATE_WORK_LIMITS: Readonly<EstimateWorkLimits> = Object.freeze({
  syntheticSize: 64 * MAX_SYNTHETIC_SIZE,
  wallMs: 5 * 60_000,
});

/** The estimate itself went past one of its bounds; the plan is shown for approval instead. */
export class EstimateLimitError extends DynflowError {
  constructor(
    readonly limit: keyof EstimateWorkLimits,
    readonly value: number,
  ) {
    super(
      "estimate_limit",
      limit === "syntheticSize"
        ? `the estimate stopped: the script's simulated agents returned more than ${value.toLocaleString("en-US")} elements and characters in all, more than a plan can be previewed with`
        : `the estimate stopped: simulating the script took more than ${Math.round(value / 1000)} s`,
    );
  }
}

/** Model time per output token and per agent, for durations: ~40 tokens/s plus tool and start-up time. */
const MS_PER_OUTPUT_TOKEN = 25;
const MS_PER_AGENT = 10_000;

/** A typical agent's duration for its usage. */
export function agentDurationMs(usage: TokenUsage): number {
  return MS_PER_AGENT + usage.output * MS_PER_OUTPUT_TOKEN;
}

/** Runs the script against simulated agents; never calls a model. */
export function estimatePlan(options: EstimatePlanOptions): Promise<PlanEstimate> {
  return timeStage("estimate", () => estimatePlanNow(options));
}

async function estimatePlanNow(options: EstimatePlanOptions): Promise<PlanEstimate> {
  const models = { ...DEFAULT_MODELS, ...options.models };
  const time = createVirtualTime(options.virtualTime);
  const durationOf = options.durationOf ?? agentDurationMs;
  const work = { ...ESTIMATE_WORK_LIMITS, ...options.work };
  const stop = new AbortController();
  const onOutsideAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onOutsideAbort();
  else options.signal?.addEventListener("abort", onOutsideAbort, { once: true });
  const timers = options.virtualTime?.timers ?? { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
  const deadline = timers.setTimeout(() => stop.abort(new EstimateLimitError("wallMs", work.wallMs)), work.wallMs);
  let syntheticLeft = work.syntheticSize;
  const changedPath = await pathPicker(options);
  const simulated = createSimulatedRunner({
    defaultModel: models.worker,
    items: 3,
    priceOf: (usage, model) => costOf(usage, priceFor(model, options.prices)),
    changedPath,
  });
  const simulatedRun: AgentRunner = {
    async run(request: AgentRequest): Promise<AgentResult> {
      const role = request.options.role ?? "worker";
      const result = await simulated.run({ ...request, options: { ...request.options, model: request.options.model ?? models[role] } });
      syntheticLeft -= sizeOf(result.output);
      if (syntheticLeft < 0) stop.abort(new EstimateLimitError("syntheticSize", work.syntheticSize));
      await time.sleep(durationOf(result.usage), request.signal);
      return expectedPath(request, result, options.baseCommit, changedPath);
    },
  };
  const runner = withWebTools(simulatedRun, options.web);
  const outcome = await simulateScript({
    runId: options.runId ?? "estimate",
    source: options.source,
    filename: options.filename,
    args: options.args,
    repository: options.repository,
    baseCommit: options.baseCommit,
    review: options.review,
    runner,
    limits: options.limits,
    signal: stop.signal,
    resolveWorkflow: options.resolveWorkflow,
    prepareAgent: options.prepareAgent,
    ...(options.checks ? { checks: options.checks } : {}),
  }).finally(() => {
    timers.clearTimeout(deadline);
    options.signal?.removeEventListener("abort", onOutsideAbort);
  });
  // The estimate's own bound stopped it: an error of the plan, not a cancel.
  const limited = stop.signal.reason instanceof EstimateLimitError ? stop.signal.reason : null;
  return {
    status: limited ? "error" : outcome.status,
    error: limited ? { code: limited.code, message: limited.message } : outcome.error,
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
function expectedPath(request: AgentRequest, result: AgentResult, baseCommit: string, changedPath: (request: AgentRequest) => string): AgentResult {
  switch (request.options.role ?? "worker") {
    case "worker":
      return {
        ...result,
        change: {
          branch: `dynflow/${request.runId}-work/${request.agentId}`,
          commit: pseudoCommit(request.key),
          base: baseCommit,
          files: [{ path: changedPath(request), status: "modified", additions: 1, deletions: 1 }],
          additions: 1,
          deletions: 1,
          incomplete: false,
        },
      };
    case "refuter":
      return { ...result, output: { verdict: "upheld", evidence: "Checked the change against the task; no counterexample found." } };
    case "resolver":
      return result;
  }
}

/** Elements and characters of a value, counted as `synthesizeValue` clamps them. */
function sizeOf(value: JsonValue): number {
  if (typeof value === "string") return value.length;
  if (value === null || typeof value !== "object") return 1;
  const items = Array.isArray(value) ? value : Object.values(value);
  let size = items.length;
  for (const item of items) size += sizeOf(item);
  return size;
}

/** Files scanned for one in a worker's write scope: enough for a plausible path, bounded for huge trees. */
const PATH_SCAN = 2_000;

/**
 * The file a simulated worker reports as changed: a real file of the base
 * commit inside its write scope, so a script sees the same kind of path it
 * would see for real.
 */
async function pathPicker(options: EstimatePlanOptions): Promise<(request: AgentRequest) => string> {
  const files = (await (await options.repository.readOnly(options.baseCommit)).list()).slice(0, PATH_SCAN);
  return (request) => {
    const scopes = request.options.write;
    if (scopes === undefined || scopes.length === 0) return files[0] ?? "README.md";
    let inScope: (path: string) => string | undefined;
    try {
      inScope = compileGlobs(scopes);
    } catch {
      return files[0] ?? "README.md";
    }
    return files.find((file) => inScope(file) !== undefined) ?? files[0] ?? "README.md";
  };
}
