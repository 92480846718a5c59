/**
 * `/dynflow run` and `/dynflow plan`: record the run and queue its planning,
 * then return at once (GitHub gives a webhook ten seconds). What runs is a
 * saved workflow when the first word names one at the base commit
 * (`.claude/workflows/<name>.js` or `.github/dynflow/workflows/<name>.js`),
 * else the text is a task for the planner.
 */
import type { PlanCommand, RunCommand } from "../commands/parse-command.js";
import { resolveRunTarget, type RunTarget } from "../commands/parse-args.js";
import type { RepoConfig } from "../config/repo-config.js";
import { readSavedWorkflow, type SavedWorkflow } from "../github/read-saved-workflow.js";
import type { RunRecord } from "../store/index.js";
import { DuplicateRunError } from "../store/index.js";
import type { CommandInput } from "./command-input.js";
import { ModelNotConfiguredError } from "./errors.js";
import { renderPlanningComment } from "./render-run-comments.js";
import { resolveBase, type RunBase } from "./resolve-base.js";
import { buildRunSettings, toSettingsJson } from "./run-settings.js";
import { openStatusComment } from "./run-surfaces.js";
import { toPlanJson } from "./stored-plan.js";
import type { AppRuntime } from "./types.js";

/** Records the run, shows it as planning, and queues the planning step. */
export async function startRun(input: CommandInput, runtime: AppRuntime, command: RunCommand | PlanCommand, config: RepoConfig): Promise<void> {
  // One comment starts at most one run, even when GitHub delivers it twice under different ids.
  if ((await runtime.store.runs.findByCommandComment(input.comment.id)) !== undefined) return;
  if (runtime.createModel === null) {
    await input.reply(`**dynflow did not start:** ${new ModelNotConfiguredError().message}.`);
    return;
  }

  const base = await resolveBase(input.github, input);
  const saved = command.verb === "run" && command.workflowName !== undefined ? await readSaved(input, base, command.workflowName) : null;
  const target = command.verb === "run" ? resolveRunTarget(command, () => saved !== null) : { type: "task" as const, task: command.text };
  const run = await recordRun(input, runtime, command, config, base, target, saved);
  if (run === null) return;
  input.log.info({ runId: run.id, kind: run.kind, base: base.sha }, "run requested");

  const statusComment = await openStatusComment(input.github, run, runtime);
  try {
    const ref = await statusComment?.flush(renderPlanningComment(run));
    if (ref) await runtime.store.runs.update(run.id, { statusCommentId: ref.id });
  } catch (error) {
    // The planning step writes the status comment again; the run must not wait on this one.
    input.log.warn({ err: error, runId: run.id }, "could not write the status comment");
  }
  await runtime.queue.enqueue({ runId: run.id, step: "plan" });
}

async function readSaved(input: CommandInput, base: RunBase, name: string): Promise<SavedWorkflow | null> {
  return readSavedWorkflow(input.github, { owner: input.owner, repo: input.repo, ref: base.sha, name });
}

/** The new run's record; null when a concurrent delivery of the same comment recorded it first. */
async function recordRun(
  input: CommandInput,
  runtime: AppRuntime,
  command: RunCommand | PlanCommand,
  config: RepoConfig,
  base: RunBase,
  target: RunTarget,
  saved: SavedWorkflow | null,
): Promise<RunRecord | null> {
  const details = command.details ? `\n\n${command.details}` : "";
  const workflow = target.type === "workflow" && saved !== null ? { name: saved.name, args: target.args ?? null, source: saved.source, path: saved.path } : null;
  try {
    return await runtime.store.runs.create({
      id: runtime.newRunId(),
      installationId: input.installationId,
      owner: input.owner,
      repo: input.repo,
      kind: workflow ? "workflow" : "task",
      status: "queued",
      issueNumber: input.issueNumber,
      commandCommentId: input.comment.id,
      requester: input.sender,
      task: workflow ? null : `${target.type === "task" ? target.task : command.text}${details}`,
      workflow: workflow?.name ?? null,
      args: workflow?.args ?? null,
      script: workflow?.source ?? null,
      baseRef: base.ref,
      baseSha: base.sha,
      plan: toPlanJson({ stopAfterPlan: command.verb === "plan", commandUrl: input.comment.url, ...(workflow ? { filename: workflow.path } : {}) }),
      limits: toSettingsJson(buildRunSettings(config, runtime.caps)),
    });
  } catch (error) {
    if (error instanceof DuplicateRunError) return null;
    throw error;
  }
}
