/**
 * Executes a planned run: clone the repository at the base commit, run the
 * plan script with real agents (journaled in the store, so a resumed run does
 * not pay twice), push every branch with a change in one push, open or update
 * the pull request, and report. A run that fails, is cancelled or hits a cap
 * still pushes and reports everything that finished. An audit run pushes
 * nothing and reports to its issue instead of a pull request.
 */
import type { Logger } from "pino";
import { definitionsOnGitHub } from "../../agent-setup/index.js";
import type { GitHubClient } from "../../github/github-client.js";
import { PLAN_FILENAME } from "../../plan/request-plan-script.js";
import { runWorkflow } from "../../run/run-workflow.js";
import { plannerSpend } from "../../run/total-spend.js";
import type { JsonValue } from "../../runtime/types.js";
import type { RunRecord } from "../../store/index.js";
import { createRunRunner, forgetCarriedChanges, restoreCarriedChanges } from "./create-run-runner.js";
import { watchRunControls } from "../../controls/watch-run-controls.js";
import { AgentStops } from "../../runtime/agent-stops.js";
import { estimateContractOf } from "./estimate-contract.js";
import { pauseForApproval } from "./pause-for-approval.js";
import { batchTotalsOf } from "../finish/batch-spend.js";
import { ModelNotConfiguredError, RunNotReadyError } from "../errors.js";
import { finishAuditRun } from "../finish/finish-audit-run.js";
import { finishRun } from "../finish/finish-run.js";
import { ciWaitOf } from "../../config/ci-config.js";
import { withRunRepository } from "../services/open-run-repository.js";
import { pushRunBranches, runBranches } from "./push-run-branches.js";
import { reportExtrasOf } from "./report-extras.js";
import { recordStop } from "../finish/record-stop.js";
import { createRunWorkflowResolver, githubScriptPath, githubWorkflowFiles } from "../../workflows/index.js";
import { pricesOf, readRunSettings, workflowSettingsOf, type RunSettings } from "../run-record/run-settings.js";
import { openRunProgress, openStatusComment } from "../surfaces/run-surfaces.js";
import { createRunStopSignal } from "../steps/stop-signal.js";
import { readStoredPlan, reportEstimateOf, type StoredPlan } from "../run-record/stored-plan.js";
import type { AppRuntime } from "../services/types.js";

/** Statuses a run can be executed from: queued, or running when a restart recovers it. */
const EXECUTABLE = new Set<RunRecord["status"]>(["queued", "running"]);

/** Executes run `runId` to its end. Never throws: every failure ends up in the status comment and the record. */
export async function executeRun(runId: string, runtime: AppRuntime): Promise<void> {
  const run = await runtime.store.runs.get(runId);
  if (run === undefined || !EXECUTABLE.has(run.status)) return;
  const log = runtime.log.child({ runId });
  const github = await runtime.github(run.installationId);
  const stored = await readStored(run, runtime, github, log);
  if (stored === null) return;
  const { plan, settings } = stored;
  const stop = createRunStopSignal(runtime.cancels, run.id, settings.resolved.deadlineMs, runtime.timers);
  const progress = await openRunProgress({ github, run, runtime, estimate: reportEstimateOf(plan), spentBefore: plannerSpend(plan), commandUrl: plan.commandUrl, log });
  // The dashboard's stop and cancel, from whichever process served them.
  const agentStops = new AgentStops();
  const controls = await runtime.store.runs
    .update(run.id, { status: "running", error: null })
    .then(() =>
      watchRunControls({
        runId: run.id,
        controls: runtime.store.controls,
        stops: agentStops,
        cancel: (reason) => runtime.cancels.cancel(run.id, reason),
        timers: runtime.timers,
        intervalMs: runtime.controlPollMs,
        log,
      }),
    )
    .catch((error: unknown) => {
      // The store failed before the run started (the step is tried again): the views and the deadline are let go.
      progress.close();
      stop.dispose();
      throw error;
    });
  log.info({ owner: run.owner, repo: run.repo, base: run.baseSha }, "run executing");

  try {
    const { script, baseSha, createModel } = readyParts(run, runtime);
    // Created alongside the script (the check run's writes keep their order): on GitHub this write waits its turn in the
    // installation's write limit, a second or more after the status comment, and the first agent need not wait for it.
    void progress.checkRun.start().catch((error: unknown) => log.warn({ err: error }, "could not start the check run; going on without it"));
    const author = await runtime.botIdentity(github);
    // An audit with `batch: true` sends its calls through the Message Batches API; nothing above the client changes.
    const model = createModel({ prices: pricesOf(settings.config, runtime.prices), batch: plan.batch === true });
    // Agent definitions and `workflow({ scriptPath })` scripts come from where the run trusts the repository's contents.
    const trusted = { owner: run.owner, repo: run.repo, ref: plan.definitionsRef ?? baseSha };

    // Started without approval because it was small: it may not outgrow its estimate (approvalOverrun).
    const workflowSettings = workflowSettingsOf(settings, runtime.prices);
    const contract = estimateContractOf(run, plan, settings.config);
    const { result, pushed, paused } = await withRunRepository({ github, run, runtime, cloneUrl: plan.cloneUrl, signal: stop.signal, log }, async (open) => {
      const changes = runtime.store.changeObjects;
      if (runtime.agents) await restoreCarriedChanges({ placement: runtime.agents, open, gitEnv: runtime.gitEnv, log, changes, runId: run.id, baseCommit: baseSha });
      // 1. The script, with real agents. Finished work is in the result whatever stopped it.
      const result = await runWorkflow({
        repository: open.repository,
        repositoryName: `${run.owner}/${run.repo}`,
        baseCommit: baseSha,
        baseLabel: run.baseRef ?? baseSha,
        task: run.task,
        script: { source: script, filename: plan.filename ?? PLAN_FILENAME },
        args: argsOf(run.args),
        model,
        settings: { ...workflowSettings, limits: { ...workflowSettings.limits, contract } },
        runId: run.id,
        author,
        clock: runtime.clock,
        log,
        journal: runtime.store.journal(run.id),
        onEvent: progress.onEvent,
        signal: stop.signal,
        gitEnv: runtime.gitEnv,
        agentStops,
        ...(runtime.transcripts ? { transcripts: runtime.transcripts } : {}),
        // Agents here under the process-wide caps, or on workers through the queue.
        ...(runtime.agents ? { createRunner: createRunRunner({ placement: runtime.agents, run, open, gitEnv: runtime.gitEnv, batch: plan.batch === true, changes, log }) } : {}),
        ...(runtime.planApiDoc ? { planApiDoc: runtime.planApiDoc } : {}),
        // Saved workflows too: never from a fork's commits.
        resolveWorkflow: createRunWorkflowResolver(githubWorkflowFiles(github, trusted), {
          scriptPath: githubScriptPath(github, trusted),
        }),
        agentDefinitions: definitionsOnGitHub(github, trusted),
        // Asked for when the report is built, so a check run created meanwhile is linked too.
        reportExtras: () => reportExtrasOf(run, plan, progress.checkRun.current?.url, runtime.dashboardUrl?.(run.id)),
      });
      // Outgrown: nothing is pushed; the run asks for approval and continues from its journal.
      if (result.outcome.error?.code === "estimate_exceeded") return { result, pushed: [], paused: true };
      // An audit reports to its issue: none of its branches is pushed.
      if (run.kind === "audit") return { result, pushed: [] };
      // Nothing is pushed for a fork's pull request unless the repository allows it; the report still says what was found.
      // (A record stored before `forks` existed has none: nothing pushed either.)
      if (plan.fork !== undefined && settings.config.forks?.push !== true) {
        log.info({ fork: plan.fork }, "fork pull request: nothing pushed");
        return { result, pushed: [] };
      }
      // 2. One push for every branch with a change, with a token fresh enough for it.
      const { pushed } = await pushRunBranches({
        repository: open.repository,
        remoteUrl: open.cloneUrl,
        token: await open.freshToken(),
        branches: runBranches(result),
        env: runtime.gitEnv,
        log,
      });
      return { result, pushed };
    });
    if (paused === true) return await pauseForApproval({ run, plan, runtime, progress, result, log });
    // The run's changes are on the remote now (or, for an audit or a fork, never will be).
    await forgetCarriedChanges({ placement: runtime.agents, changes: runtime.store.changeObjects, runId: run.id, log });

    // 3. The pull request (for an audit, its issue) and the reports.
    if (run.kind === "audit") await finishAuditRun({ github, run, plan, runtime, progress, result, batch: batchTotalsOf(model), log });
    else {
      const { waitsForCi } = await finishRun({ github, run, plan, runtime, progress, result, pushed, ci: ciWaitOf(settings.config.ci), log });
      // A first look at CI as a step of its own (one per run at a time): CI may have finished before the wait was recorded.
      if (waitsForCi) await runtime.queue.enqueue({ runId: run.id, step: "ci" }).catch((error: unknown) => log.warn({ err: error }, "could not queue a look at CI; a webhook or the sweep will"));
    }
  } catch (error) {
    await recordStop({ github, run, runtime, error, signal: stop.signal, statusComment: null, progress, log });
  } finally {
    controls.stop();
    stop.dispose();
    progress.close();
  }
}

/** The record's plan and settings; null when they cannot be read, after the run was ended with that message. */
async function readStored(run: RunRecord, runtime: AppRuntime, github: GitHubClient, log: Logger): Promise<{ plan: StoredPlan; settings: RunSettings } | null> {
  try {
    return { plan: readStoredPlan(run.plan), settings: readRunSettings(run.limits, runtime.caps) };
  } catch (error) {
    const statusComment = await openStatusComment(github, run, runtime);
    await recordStop({ github, run, runtime, error, signal: new AbortController().signal, statusComment, log });
    return null;
  }
}

/** What execution needs from the record and the deployment; throws a typed error for what is missing. */
function readyParts(run: RunRecord, runtime: AppRuntime) {
  if (runtime.createModel === null) throw new ModelNotConfiguredError();
  if (run.script === null) throw new RunNotReadyError(run.id, "plan script");
  if (run.baseSha === null) throw new RunNotReadyError(run.id, "base commit");
  return { script: run.script, baseSha: run.baseSha, createModel: runtime.createModel };
}

/** Stored `null` means the script gets no `args` (undefined), as when a saved workflow is run without any. */
function argsOf(args: JsonValue): JsonValue | undefined {
  return args === null ? undefined : args;
}
