/**
 * The planner: turns a task in words into a validated plan script. It
 * measures what the task touches first; work that fits in one agent's context
 * gets the single-agent template (one agent plus its refuters, no model
 * call), and only larger work is planned by the model.
 */
import type { Logger } from "pino";
import { DEFAULT_MODELS, type ModelClient, type Role } from "../agents/model/index.js";
import { parseScript } from "../runtime/script/parse-script.js";
import { ZERO_USAGE, type RunLimits, type ScriptMeta, type TokenUsage } from "../runtime/types.js";
import type { GitRepository } from "../workspace/index.js";
import { buildPlanPrompt } from "./build-plan-prompt.js";
import { buildRepoOverview } from "./build-repo-overview.js";
import { decidePlanKind, DEFAULT_SINGLE_AGENT_TOKENS, type PlanKind } from "./decide-plan-kind.js";
import type { ModuleDefinition } from "./detect-modules.js";
import { DEFAULT_MAX_RELEVANT_FILES, estimateRelevantTokens, type RelevantEstimate } from "./estimate-relevant-tokens.js";
import { PLAN_FILENAME, requestPlanScript } from "./request-plan-script.js";
import { SINGLE_AGENT_SCRIPT } from "./single-agent-script.js";

export interface PlanScriptOptions {
  /** The task in words (comment text: untrusted). */
  task: string;
  repository: GitRepository;
  /** The run's base commit. */
  commit: string;
  /** The repository's dynflow config; the model sees it as JSON. */
  config: unknown;
  model: ModelClient;
  /** The plan API reference (`docs/plan-api.md` content). */
  planApiDoc: string;
  /** Model ids by role; the planner uses `planner`. Default `DEFAULT_MODELS`. */
  models?: Partial<Record<Role, string>>;
  /** Relevant tokens up to which one agent does the task. Default 60,000. */
  threshold?: number;
  /** Modules from the config; detected when omitted. */
  modules?: readonly ModuleDefinition[];
  /** The run's caps, told to the model. Default `DEFAULT_RUN_LIMITS`. */
  limits?: Partial<RunLimits>;
  /** Files the estimate collects before it counts as a lower bound. Default 200. */
  maxRelevantFiles?: number;
  /** Repairs of an invalid script. Default 2. */
  maxRepairs?: number;
  signal?: AbortSignal;
  log?: Logger;
}

export interface PlanResult {
  source: string;
  meta: ScriptMeta;
  kind: PlanKind;
  /** Why this kind of plan, for the report. */
  reason: string;
  relevant: RelevantEstimate;
  /** What the script expects in `args` when it runs. */
  args: { task: string };
  /** The model's own explanation of its plan; null for the template. */
  rationale: string | null;
  usage: TokenUsage;
  costUsd: number;
  /** Model calls made (0 for the template). */
  attempts: number;
  /** What the detected modules leave out, for the plan comment; absent when nothing or not detected. */
  modulesNote?: string;
}

/**
 * Plans a run. Throws `PlanFailedError` when the model's script stays invalid
 * after the repairs, and the model client's errors when the API fails.
 */
export async function planScript(options: PlanScriptOptions): Promise<PlanResult> {
  const threshold = options.threshold ?? DEFAULT_SINGLE_AGENT_TOKENS;
  const maxFiles = options.maxRelevantFiles ?? DEFAULT_MAX_RELEVANT_FILES;

  // Measure before spending: most tasks fit in one agent, and then no model call is needed to plan.
  const { repository, commit, task } = options;
  const args = { task };
  const relevant = await estimateRelevantTokens({ repository, commit, task, maxFiles });
  const repositoryFiles = (await repository.listFiles(commit)).length;
  const decision = decidePlanKind(relevant, { threshold, maxFiles, repositoryFiles });
  options.log?.info(
    { kind: decision.kind, files: relevant.files.length, tokens: relevant.tokens, basis: relevant.basis },
    "plan kind decided",
  );

  if (decision.kind === "single-agent") {
    const { meta } = parseScript(SINGLE_AGENT_SCRIPT, PLAN_FILENAME);
    return {
      source: SINGLE_AGENT_SCRIPT,
      meta,
      kind: "single-agent",
      reason: decision.reason,
      relevant,
      args,
      rationale: null,
      usage: { ...ZERO_USAGE },
      costUsd: 0,
      attempts: 0,
    };
  }

  const overview = await buildRepoOverview({ repository, commit, modules: options.modules });
  const prompt = buildPlanPrompt({
    task,
    overview,
    config: options.config,
    planApiDoc: options.planApiDoc,
    relevant,
    threshold,
    limits: options.limits,
  });
  const written = await requestPlanScript({
    model: options.model,
    modelId: options.models?.planner ?? DEFAULT_MODELS.planner,
    prompt,
    maxRepairs: options.maxRepairs,
    signal: options.signal,
    log: options.log,
  });
  return {
    source: written.source,
    meta: written.meta,
    kind: "model-written",
    reason: decision.reason,
    ...(overview.uncovered ? { modulesNote: overview.uncovered } : {}),
    relevant,
    args,
    rationale: written.rationale,
    usage: written.usage,
    costUsd: written.costUsd,
    attempts: written.attempts,
  };
}
