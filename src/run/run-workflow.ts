/**
 * One dynflow run on a local repository, start to end: plan (unless a script
 * is given), execute with real agents and the review extension, reconcile the
 * accepted changes into `dynflow/<run-id>`, and write the convergence report.
 */
import { bindRunId } from "../logging/bind-run-id.js";
import { randomBytes } from "node:crypto";
import { pino } from "pino";
import { checkScriptModels, createRunAgentSetup, definitionsAtCommit } from "../agent-setup/index.js";
import { createAgentRunner } from "../agents/create-agent-runner.js";
import { createConflictResolver } from "../agents/create-conflict-resolver.js";
import { preparePlan } from "../plan/prepare-plan.js";
import { createResultSoFar } from "../reconcile/build-result-so-far.js";
import { mergeChanges } from "../reconcile/merge-changes.js";
import { isDraftWorthy } from "../report/is-draft-worthy.js";
import { renderReport } from "../report/render-report.js";
import { createReviewExtension } from "../review/create-review-extension.js";
import { MemoryJournal } from "../runtime/journal/memory-journal.js";
import { runScript } from "../runtime/run-script.js";
import { parseScript } from "../runtime/script/parse-script.js";
import { systemClock } from "../time.js";
import { resultBranch } from "../workspace/index.js";
import { withWebTools } from "../web-tools/with-web-tools.js";
import { prepareCommands } from "./prepare-commands.js";
import { buildReportModel, withConflicts, withRunExtras, type ExtraSpend } from "./build-report-model.js";
import { judgeOutcome } from "./judge-outcome.js";
import type { RunWorkflowInput, WorkflowResult } from "./types.js";

/** Who worker and merge commits are by unless the caller says otherwise. */
export const DEFAULT_AUTHOR = Object.freeze({ name: "dynflow", email: "dynflow@users.noreply.github.com" });
/** Refuters per claim and converge() rounds unless the settings say otherwise. */
export const DEFAULT_REVIEW = Object.freeze({ refutersPerClaim: 2, maxRounds: 3 });

/**
 * Runs the whole workflow. Finished work is reconciled and reported whatever
 * stopped the run (a cap, the budget, a cancel, a script error); only a plan
 * that cannot be made, a script naming a model without a price (before any
 * agent starts) and a reconciliation git refuses throw.
 */
export async function runWorkflow(input: RunWorkflowInput): Promise<WorkflowResult> {
  const run = withDefaults(input);
  const startedAt = run.clock.now();
  const extra: ExtraSpend[] = [];

  // 1. The plan: the script as given, or one the planner writes for the task.
  if (!run.script) run.onStage("plan");
  const { plan, source, filename, args } = await preparePlan({
    script: run.script,
    task: run.task,
    args: run.args,
    repository: run.repository,
    baseCommit: run.baseCommit,
    model: () => run.model,
    planApiDoc: run.planApiDoc,
    config: run.settings.repoConfig ?? {},
    models: run.settings.models,
    modules: run.settings.review?.modules,
    limits: run.settings.limits,
    signal: run.signal,
    log: run.log,
  });
  if (plan) extra.push({ agents: 0, usage: plan.usage, costUsd: plan.costUsd });
  await run.onPlanned?.({ source, filename, args, plan });

  // 2. Execute. Every agent goes through the run's scheduler, so caps, budget and journal apply to all.
  run.onStage("run");
  // Sandboxed commands: the base tree once, then setup; a failing setup fails the run before any agent starts.
  const prepared = await prepareCommands({
    config: run.settings.commands,
    repository: run.repository,
    baseCommit: run.baseCommit,
    journal: run.journal,
    log: run.log,
    ...(run.signal ? { signal: run.signal } : {}),
  });
  const notes = prepared.note ? [prepared.note] : [];
  const commands = prepared.commands;
  const prepareAgent = createRunAgentSetup({
    models: run.settings.models,
    modelAliases: run.settings.modelAliases,
    prices: run.settings.prices,
    agentDefinitions: run.agentDefinitions === undefined ? definitionsAtCommit(run.repository, run.baseCommit) : run.agentDefinitions,
  });
  // A model named in the script without a price stops the run before any agent starts.
  const unpriced = await checkScriptModels(source, prepareAgent);
  if (unpriced !== null) throw unpriced;
  // Web tools are granted on this side of the runner, so the run's caps hold wherever agents run.
  const runner = withWebTools(run.createRunner({
    model: run.model,
    repository: run.repository,
    runId: run.runId,
    baseCommit: run.baseCommit,
    task: run.task ?? describeScript(source, filename),
    models: run.settings.models,
    author: run.author,
    protectedPaths: run.settings.protectedPaths,
    limits: run.settings.agentLimits,
    log: run.log,
    ...(run.transcripts ? { transcripts: run.transcripts } : {}),
    ...(commands ? { commands } : {}),
    // A worker process that could not offer what this one does says so once in the report.
    onNote: (note) => void (notes.includes(note) || notes.push(note)),
  }), run.settings.web);
  const { extension, review } = createReviewExtension({
    repository: run.repository,
    baseCommit: run.baseCommit,
    config: { ...DEFAULT_REVIEW, ...run.settings.review },
    // A claim is judged on what the run has merged so far, e.g. an audit after a migration.
    resultSoFar: createResultSoFar({
      repoDir: run.repository.gitDir,
      repository: run.repository,
      runId: run.runId,
      baseCommit: run.baseCommit,
      author: run.author,
      log: run.log,
      ...(run.gitEnv ? { env: run.gitEnv } : {}),
    }),
    checks: commands && { names: commands.names, run: (name, commit, signal) => commands.check(name, commit, signal) },
  });
  const ran = await runScript({
    runId: run.runId,
    source,
    filename,
    args,
    baseRevision: run.baseCommit,
    runner,
    journal: run.journal,
    limits: run.settings.limits,
    sandbox: run.settings.sandbox,
    onEvent: run.onEvent,
    signal: run.signal,
    clock: run.clock,
    extensions: [extension],
    resolveWorkflow: run.resolveWorkflow,
    ...(run.agentStops ? { agentStops: run.agentStops } : {}),
    prepareAgent,
  }).finally(() => prepared.close());
  // Every agent failed: a failed run, whatever the script returned.
  const outcome = judgeOutcome(ran);
  const { lines, workers, toMerge, claims } = review.outcomes(outcome);

  // 3. Reconcile what was accepted, even when a cap, the budget or a cancel stopped the run.
  run.onStage("reconcile");
  const branch = resultBranch(run.runId);
  const reconcile = await mergeChanges({
    repoDir: run.repository.gitDir,
    repository: run.repository,
    baseCommit: run.baseCommit,
    targetBranch: branch,
    changes: toMerge,
    resolveConflict: createConflictResolver({
      runner,
      runId: run.runId,
      signal: run.signal,
      log: run.log,
      onReport: (report) => extra.push({ agents: 1, usage: report.usage, costUsd: report.costUsd }),
    }),
    author: run.author,
    log: run.log,
    clock: run.clock,
    env: run.gitEnv,
  });

  // 4. Report.
  run.onStage("report");
  const extras = run.reportExtras?.();
  const built = buildReportModel({
    runId: run.runId,
    task: run.task,
    repository: run.repositoryName,
    base: { commit: run.baseCommit, branch: run.baseLabel },
    script: source,
    outcome,
    lines,
    workers,
    reconcile,
    extra,
    claims,
    args,
    notes,
    // The whole run: from when it started (the caller knows, e.g. the command's arrival) to this report.
    wallMs: run.clock.now() - Math.min(startedAt, extras?.startedAt ?? startedAt),
  });
  // Built and rendered once, with what the caller adds: every surface shows this one report.
  const reportModel = extras ? withRunExtras(built, extras) : built;
  const draft = isDraftWorthy(reportModel);
  bindRunId(run.log, run.runId).info({ status: outcome.status, merged: reconcile.merged.length, branch }, "run finished");
  const reportMarkdown = renderReport(reportModel);
  // The dashboard shows the report as it was written.
  run.transcripts?.document(run.runId, "report", reportMarkdown);
  return {
    runId: run.runId,
    branch,
    commit: reconcile.commit,
    outcome,
    lines: withConflicts(lines, reconcile),
    workers: reportModel.workers,
    reconcile,
    reportMarkdown,
    reportModel,
    draft: draft.draft,
    draftReasons: draft.reasons,
    plan,
  };
}

/** Every default of a run, filled in one place. */
function withDefaults(input: RunWorkflowInput) {
  return {
    ...input,
    runId: input.runId ?? (input.newRunId ?? (() => randomBytes(4).toString("hex")))(),
    settings: input.settings ?? {},
    author: input.author ?? DEFAULT_AUTHOR,
    clock: input.clock ?? systemClock,
    log: input.log ?? pino({ level: "silent" }),
    journal: input.journal ?? new MemoryJournal(),
    onStage: input.onStage ?? (() => {}),
    createRunner: input.createRunner ?? createAgentRunner,
  };
}

/** The task agents are told when the run has a script but no task: the script's own description. */
function describeScript(source: string, filename: string): string {
  try {
    const { meta } = parseScript(source, filename);
    return `${meta.name}: ${meta.description}`;
  } catch {
    // runScript reports the invalid script itself; agents never start.
    return `the plan script ${filename}`;
  }
}

