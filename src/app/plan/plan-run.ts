/**
 * The queued planning step of a run: clone the repository at the base
 * commit, make the plan (the saved workflow, or a script the planner writes
 * for the task), estimate it against simulated agents, and decide what comes
 * next: show the plan and wait (`/dynflow plan`, or the approval policy asks
 * for it), or go straight on to execution.
 */
import type { Logger } from "pino";
import { catchFatal, checkScriptModels, createRunAgentSetup, definitionsOnGitHub, type AgentDefinitionSource } from "../../agent-setup/index.js";
import { needsApproval, type ApprovalDecision } from "../../config/needs-approval.js";
import { preparePlan } from "../../plan/prepare-plan.js";
import { PLAN_FILENAME } from "../../plan/request-plan-script.js";
import { prestartScriptSandbox } from "../../runtime/run-script.js";
import type { WorkflowResolver } from "../../runtime/script-host.js";
import type { JsonValue } from "../../runtime/types.js";
import type { RunRecord } from "../../store/index.js";
import type { GitRepository } from "../../workspace/index.js";
import { ModelNotConfiguredError, RunNotReadyError } from "../errors.js";
import { estimatePlan, type PlanEstimate } from "../../simulate/estimate-plan.js";
import { syncRunClone, withRunRepository } from "../services/open-run-repository.js";
import { acknowledgeRun } from "./acknowledge-run.js";
import { renderPlanComment, type PlanNext } from "./render-plan-comment.js";
import { recordStop } from "../finish/record-stop.js";
import { createRunWorkflowResolver, githubScriptPath, githubWorkflowFiles } from "../../workflows/index.js";
import { pricesOf, readRunSettings, reviewConfigOf, workflowSettingsOf, type RunSettings } from "../run-record/run-settings.js";
import { showInStatusComment } from "../surfaces/end-run.js";
import { openStatusComment } from "../surfaces/run-surfaces.js";
import { createRunStopSignal } from "../steps/stop-signal.js";
import { readStoredPlan, toPlanJson, type StoredPlan } from "../run-record/stored-plan.js";
import type { AppRuntime } from "../services/types.js";

/** What the job does after planning. */
export type AfterPlan = "execute" | "wait";

const PLANNABLE = new Set<RunRecord["status"]>(["queued", "running"]);
const STATUS_AFTER: Record<PlanNext, RunRecord["status"]> = { starting: "queued", approval: "awaiting-approval", "plan-only": "planned" };

/** Plans run `runId`. Never throws: a failure ends the run with a message in its status comment. */
export async function planRun(runId: string, runtime: AppRuntime): Promise<AfterPlan> {
  const run = await runtime.store.runs.get(runId);
  if (run === undefined || !PLANNABLE.has(run.status)) return "wait";
  const log = runtime.log.child({ runId });
  const github = await runtime.github(run.installationId);
  const stop = createRunStopSignal(runtime.cancels, run.id, null, runtime.timers);
  // The clone is brought up to date (the first run on a repository clones it) while the run's comment is written;
  // what goes wrong there is the plan's, reported when the plan waits for it below.
  const synced = syncRunClone({ github, run, runtime, signal: stop.signal, log });
  synced.catch(() => {});
  // A saved workflow's estimate follows the clone: its sandbox (the script sandbox's default limits) starts now,
  // beside the clone's fetch, instead of after it. A planned script's estimate waits for the planner, and starts its own.
  if (run.script !== null) prestartScriptSandbox();
  let statusComment: Awaited<ReturnType<typeof openStatusComment>>;
  try {
    statusComment = await openStatusComment(github, run, runtime);
    await acknowledgeRun(github, run, statusComment, runtime, log);
  } catch (error) {
    stop.dispose();
    throw error;
  }
  await runtime.store.runs.update(run.id, { status: "running", error: null });
  try {
    const settings = readRunSettings(run.limits, runtime.caps);
    // `workflow(name)` in the script finds the repository's saved workflows, then the bundled ones; saved workflows,
    // `workflow({ scriptPath })` and agent definitions are read where the run trusts the repository's contents
    // (the base commit, or the default branch for a fork's pull request).
    const trusted = { owner: run.owner, repo: run.repo, ref: readStoredPlan(run.plan).definitionsRef ?? run.baseSha ?? "" };
    const resolveWorkflow = createRunWorkflowResolver(githubWorkflowFiles(github, trusted), {
      scriptPath: githubScriptPath(github, trusted),
    });
    const reads = { resolveWorkflow, agentDefinitions: definitionsOnGitHub(github, trusted) };
    const planned = await withRunRepository({ github, run, runtime, signal: stop.signal, log, synced }, async (open) => {
      const made = await makePlan(run, open.repository, settings, runtime, stop.signal, log, reads);
      // The execution clones from the same URL without asking GitHub again.
      return { ...made, plan: { ...made.plan, cloneUrl: open.cloneUrl } };
    });
    // A cancel that arrived while the simulation ran ends it quietly; the plan must not go ahead.
    stop.signal.throwIfAborted();
    const next: PlanNext = planned.plan.stopAfterPlan ? "plan-only" : planned.plan.approval?.required ? "approval" : "starting";
    // The execution follows in this process: its script sandbox starts while the plan is recorded.
    if (next === "starting") prestartScriptSandbox(workflowSettingsOf(settings, runtime.prices).sandbox);
    await runtime.store.runs.update(run.id, { status: STATUS_AFTER[next], script: planned.script, args: planned.args, plan: toPlanJson(planned.plan) });
    log.info({ source: planned.plan.source, agents: planned.plan.estimate?.agents, next }, "run planned");
    // A run that starts now is shown by its execution, which follows in this step: its first progress edit
    // would replace "starting" a moment later, and each edit waits its turn in the installation's write limit.
    if (next === "starting") return "execute";
    await showInStatusComment(statusComment, renderPlanComment({ run, plan: planned.plan, script: planned.script, next }), log);
    return "wait";
  } catch (error) {
    await recordStop({ github, run, runtime, error, signal: stop.signal, statusComment, log });
    return "wait";
  } finally {
    stop.dispose();
  }
}

interface Planned {
  plan: StoredPlan;
  script: string;
  args: JsonValue;
}

/** The run's script (its saved workflow, or one planned for its task), and its estimate. */
async function makePlan(
  run: RunRecord,
  repository: GitRepository,
  settings: RunSettings,
  runtime: AppRuntime,
  signal: AbortSignal,
  log: Logger,
  reads: { resolveWorkflow: WorkflowResolver; agentDefinitions: AgentDefinitionSource },
): Promise<Planned> {
  if (run.baseSha === null) throw new RunNotReadyError(run.id, "base commit");
  if (run.script === null && run.task === null) throw new RunNotReadyError(run.id, "task");
  const stored = readStoredPlan(run.plan);
  const workflow = workflowSettingsOf(settings);
  const prices = pricesOf(settings.config, runtime.prices);
  const createModel = runtime.createModel;

  // A saved workflow is the file as it was at the base commit; a task is planned.
  const prepared = await preparePlan({
    script: run.script === null ? null : { source: run.script, filename: stored.filename ?? PLAN_FILENAME },
    task: run.task,
    args: run.args === null ? undefined : run.args,
    repository,
    baseCommit: run.baseSha,
    model: () => {
      if (createModel === null) throw new ModelNotConfiguredError();
      return createModel({ prices });
    },
    ...(runtime.planApiDoc ? { planApiDoc: runtime.planApiDoc } : {}),
    config: workflow.repoConfig,
    models: workflow.models,
    modules: workflow.review?.modules,
    limits: workflow.limits,
    signal,
    log,
  });
  const { plan: planned } = prepared;
  const plan: StoredPlan =
    planned === null
      ? { ...stored, source: "saved-workflow", reason: `the workflow ${stored.filename ?? run.workflow}`, rationale: null }
      : {
          ...stored,
          source: planned.kind,
          reason: planned.reason,
          rationale: planned.rationale,
          ...(planned.modulesNote ? { modulesNote: planned.modulesNote } : {}),
          filename: prepared.filename,
          usage: planned.usage,
          costUsd: planned.costUsd,
        };

  // Agent types, model shortcuts and prices as the run will resolve them; a model without a price stops the run here.
  const setup = catchFatal(createRunAgentSetup({ models: settings.config.models, modelAliases: settings.config.modelAliases, prices, agentDefinitions: reads.agentDefinitions }));
  const unpriced = await checkScriptModels(prepared.source, setup.prepare);
  if (unpriced !== null) throw unpriced;
  const estimate = await estimatePlan({
    runId: run.id,
    source: prepared.source,
    filename: prepared.filename,
    args: prepared.args,
    repository,
    baseCommit: run.baseSha,
    limits: settings.resolved.limits,
    review: reviewConfigOf(settings.config),
    models: settings.config.models,
    prices,
    signal,
    resolveWorkflow: reads.resolveWorkflow,
    prepareAgent: setup.prepare,
    ...(settings.config.web ? { web: settings.config.web } : {}),
    checks: Object.keys(settings.config.commands ?? {}),
  });
  const fatal = setup.fatal();
  if (fatal !== null) throw fatal;
  return { plan: { ...plan, estimate, approval: approvalOf(run, settings.config, estimate) }, script: prepared.source, args: prepared.args ?? null };
}

/** Whether the run waits for `/dynflow approve` before it spends anything. */
function approvalOf(run: RunRecord, config: RunSettings["config"], estimate: PlanEstimate): ApprovalDecision {
  // Audits never wait: the config that declares one sets its workflow and budget, and a scheduled one has nobody to approve it.
  if (run.kind === "audit") return { required: false };
  // A plan that cannot be estimated is shown before it spends anything.
  if (estimate.status === "error" && config.approval !== "never") return { required: true, reasons: ["its script failed when simulated"] };
  return needsApproval(config.approval, { agents: estimate.agents, tokens: estimate.tokens, usd: estimate.costUsd });
}
