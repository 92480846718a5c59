/**
 * `/dynflow resume [run-id]`: queues an unfinished run again. It keeps its
 * base commit and plan, so every agent that finished before is replayed from
 * the journal at no cost; it takes the repository's current settings, so
 * raising a cap or a budget in `.github/dynflow.yml` lets a stopped run go
 * further. The same status comment, check run and pull request are updated.
 */
import type { RunIdCommand } from "../../commands/parse-command.js";
import type { RepoConfig } from "../../config/repo-config.js";
import { safeLogin } from "../../report/escape-markdown.js";
import { StaleRunError, type RunRecord, type RunRecordStatus } from "../../store/index.js";
import type { CommandInput } from "./command-input.js";
import { findRun } from "../run-record/find-run.js";
import { renderQueuedComment } from "../surfaces/render-run-comments.js";
import { describeRunStatus } from "./render-run-status.js";
import { auditRunSettings } from "../audits/record-audit-run.js";
import { buildRunSettings, toSettingsJson, type RunSettings } from "../run-record/run-settings.js";
import { showInStatusComment } from "../surfaces/end-run.js";
import { openStatusComment } from "../surfaces/run-surfaces.js";
import { nextStepOf, readStoredPlan, toPlanJson } from "../run-record/stored-plan.js";
import { UnreadableRunRecordError } from "../errors.js";
import type { AppRuntime } from "../services/types.js";
import { queueRecordedStep } from "./queue-new-run.js";
import type { JsonValue } from "../../runtime/types.js";

/** Statuses a run can be resumed from: stopped, or left running/queued by a crash. */
const RESUMABLE = new Set<RunRecordStatus>(["error", "cancelled", "capped", "budget-exhausted", "queued", "running"]);

/** Re-queues the run, or says why it cannot be resumed. */
export async function resumeRun(input: CommandInput, runtime: AppRuntime, command: RunIdCommand, config: RepoConfig): Promise<void> {
  const found = await findRun(runtime.store.runs, { ...input, runId: command.runId });
  if (!found.found) return input.reply(found.message);
  const { run } = found;
  if (run.status === "awaiting-approval" || run.status === "planned") {
    return input.reply(`Run \`${run.id}\` has not started yet; comment \`/dynflow approve ${run.id}\` to start it.`);
  }
  if (!RESUMABLE.has(run.status)) return input.reply(`Run \`${run.id}\` ${describeRunStatus(run.status)}; there is nothing to resume.`);
  if (runtime.cancels.isActive(run.id)) return input.reply(`Run \`${run.id}\` is running right now.`);

  const step = nextStepOf(run);
  try {
    await runtime.store.runs.update(
      run.id,
      { status: "queued", error: null, limits: toSettingsJson(settingsOnResume(run, config, runtime.caps)), ...approvedPlan(run, input.sender) },
      { expectVersion: run.version },
    );
  } catch (error) {
    if (error instanceof StaleRunError) return input.reply(`Run \`${run.id}\` changed meanwhile; check \`/dynflow status ${run.id}\` and try again.`);
    throw error;
  }
  if ((await queueRecordedStep(runtime, { runId: run.id, step }, input.log)) === false) return input.reply(`Run \`${run.id}\` is already queued.`);
  input.log.info({ runId: run.id, step, by: input.sender }, "run resumed");
  const login = safeLogin(input.sender);
  const statusComment = await openStatusComment(input.github, run, runtime);
  const why = `Resumed${login ? ` by @${login}` : ""}: agents that finished before are replayed from the journal at no cost.`;
  await showInStatusComment(statusComment, renderQueuedComment(run, why), input.log.child({ runId: run.id }));
}

/** The repository's current settings; an audit keeps its own budget from the config. */
function settingsOnResume(run: RunRecord, config: RepoConfig, ceilings: AppRuntime["caps"]): RunSettings {
  const audit = run.kind === "audit" ? config.audits.find((candidate) => candidate.name === run.workflow) : undefined;
  return audit ? auditRunSettings(config, audit, ceilings) : buildRunSettings(config, ceilings);
}

/**
 * The plan marked as approved by `login`: a resume is a writer's decision to go
 * on, so like an approval it frees the run from its estimate. A plan this
 * version cannot read is left as it is (execution reports it).
 */
function approvedPlan(run: RunRecord, login: string): { plan?: JsonValue } {
  try {
    return { plan: toPlanJson({ ...readStoredPlan(run.plan), approvedBy: login }) };
  } catch (error) {
    if (error instanceof UnreadableRunRecordError) return {};
    throw error;
  }
}
