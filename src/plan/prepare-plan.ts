/**
 * The plan of a run, prepared in one place for the CLI and the app alike: a
 * ready script (a saved or bundled workflow, `--script`) is used as it is;
 * a task in words is planned into a script (`planScript`).
 */
import type { Logger } from "pino";
import type { ModelClient, Role } from "../agents/model/index.js";
import type { JsonValue, RunLimits } from "../runtime/types.js";
import type { GitRepository } from "../workspace/index.js";
import type { ModuleDefinition } from "./detect-modules.js";
import { loadPlanApiDoc } from "./load-plan-api-doc.js";
import { planScript, type PlanResult } from "./plan-script.js";
import { PLAN_FILENAME } from "./request-plan-script.js";

export interface PreparePlanInput {
  /** A ready script; when null, `task` is planned into one. */
  script: { source: string; filename: string } | null;
  /** The task in words (untrusted comment text). */
  task: string | null;
  /** The ready script's `args` (a planned script gets `{ task }`). */
  args: JsonValue | undefined;
  repository: GitRepository;
  /** The run's base commit. */
  baseCommit: string;
  /** The planner's model client; asked for only when a task is planned. */
  model: () => ModelClient;
  /** The plan API reference for the planner. Default: `docs/plan-api.md` of the package. */
  planApiDoc?: () => Promise<string>;
  /** The repository's dynflow config, as the planner is shown it. */
  config: unknown;
  models?: Partial<Record<Role, string>>;
  /** Modules from the config; detected when omitted. */
  modules?: readonly ModuleDefinition[];
  limits?: Partial<RunLimits>;
  signal?: AbortSignal;
  log?: Logger;
}

export interface PreparedPlan {
  /** What the planner decided and spent; null for a ready script. */
  plan: PlanResult | null;
  source: string;
  /** File name errors of the script point into. */
  filename: string;
  args: JsonValue | undefined;
}

/** The script to run. Throws what `planScript` throws (`PlanFailedError`, the model's errors). */
export async function preparePlan(input: PreparePlanInput): Promise<PreparedPlan> {
  if (input.script !== null) return { plan: null, source: input.script.source, filename: input.script.filename, args: input.args };
  if (input.task === null) throw new TypeError("preparePlan: give a task to plan or a script to run");
  const plan = await planScript({
    task: input.task,
    repository: input.repository,
    commit: input.baseCommit,
    config: input.config,
    model: input.model(),
    planApiDoc: await (input.planApiDoc ?? loadPlanApiDoc)(),
    models: input.models,
    modules: input.modules,
    limits: input.limits,
    signal: input.signal,
    log: input.log,
  });
  return { plan, source: plan.source, filename: PLAN_FILENAME, args: plan.args };
}
